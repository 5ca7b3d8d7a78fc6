import { defineErrorCodes } from "../errors/app-error.js";

/** Why an email address or phone number as typed is refused. */
export const AddressErrors = defineErrorCodes({
  invalid_email: { status: 400, message: "This is not a valid email address." },
  invalid_phone_number: { status: 400, message: "This is not a valid phone number. Write it in international form, e.g. +33612345678." },
  phone_region_not_allowed: { status: 400, message: "Phone numbers from this country cannot be used here." },
});

export const addressErrors = [AddressErrors.invalid_email, AddressErrors.invalid_phone_number, AddressErrors.phone_region_not_allowed];
