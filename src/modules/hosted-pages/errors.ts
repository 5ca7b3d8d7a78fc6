import { defineErrorCodes } from "../../kernel/errors/app-error.js";

/**
 * What a person sees when a page cannot be shown. The JSON API's `validation_failed` lists fields;
 * a person who opened a cut-off link needs to be told what to do instead (and never sees the token).
 */
export const HostedPageErrors = defineErrorCodes({
  invalid_link: {
    status: 400,
    message: "This link is incomplete or damaged. Open it again from the email; if your mail program split it, copy the whole address.",
  },
  invalid_form: { status: 400, message: "The form was incomplete or damaged. Go back, reload the page and send it again." },
});
