/**
 * Phrases that look long and random but are printed in examples, pangram lists and quotations, so
 * they are among the first an attacker tries. zxcvbn scores each word of "correct horse battery
 * staple" as an ordinary dictionary word and finds it strong; listed here, the whole phrase is one
 * guess. Written without separators: the estimator removes spaces and dashes before matching
 * (guessability.ts), so "Correct-Horse-Battery-Staple" matches too. Keep the list small: it is for
 * phrases famous as examples, not for everything quotable.
 */
export const FAMOUS_PASSPHRASES: readonly string[] = [
  // xkcd 936 "Password Strength", and the docs of a hundred password policies since.
  "correcthorsebatterystaple",
  "tr0ub4dor&3",
  // Pangrams, the usual "long sentence" examples.
  "thequickbrownfoxjumpsoverthelazydog",
  "thequickbrownfoxjumpedoverthelazydog",
  "aquickbrownfoxjumpsoverthelazydog",
  "packmyboxwithfivedozenliquorjugs",
  "sphinxofblackquartzjudgemyvow",
  "jackdawslovemybigsphinxofquartz",
  "howvexinglyquickdaftzebrasjump",
  "thefiveboxingwizardsjumpquickly",
  // Placeholder text.
  "loremipsumdolorsitamet",
  "loremipsumdolorsitametconsecteturadipiscingelit",
  // Quotations and catchphrases that people pick as "memorable sentences".
  "tobeornottobe",
  "tobeornottobethatisthequestion",
  "maytheforcebewithyou",
  "iamyourfather",
  "oneringtorulethemall",
  "allyourbasearebelongtous",
  "thecakeisalie",
  "winteriscoming",
  "nevergonnagiveyouup",
  "iwantthetruth",
  "youcanthandlethetruth",
  "houstonwehaveaproblem",
  "heresjohnny",
  "elementarymydearwatson",
  "fourscoreandsevenyearsago",
  "itwasthebestoftimesitwastheworstoftimes",
  "inthebeginningwastheword",
  "inthebeginninggodcreatedtheheavenandtheearth",
  "ithinkthereforeiam",
  "ajourneyofathousandmilesbeginswithasinglestep",
  "helloworld",
  "thisismypassword",
  "mypasswordismypassword",
  "letmeinplease",
  "opensesame",
];
