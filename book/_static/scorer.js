/*
 * Search ranking for the companion site: the page that teaches a term comes before the API objects named like it
 * and before the pages that only mention it.
 *
 * Sphinx (7.4) inlines this file into _static/language_data.js (config `html_search_scorer`). That script runs
 * after searchtools.js, so this `Scorer` replaces Sphinx's default one; every weight of the default is restated
 * below with its default value, and only the `score` hook is added.
 *
 * searchtools.js collects results of four kinds, each an array [docname, title, anchor, descr, score, filename],
 * and calls `Scorer.score(result)` on every one before sorting by score (highest first):
 *   - an API object (a class, a function, ...): `descr` is a string ("Python class, in ...");
 *   - an explicit index entry (MyST `{index}` directive or role) whose text contains the query and is at most
 *     twice as long: `anchor` is "#index-N", score round(100 * query length / entry length);
 *   - a title whose text contains the query and is at most twice as long: a section heading (anchor "#id",
 *     score round(title * query length / title length)) or the page title (anchor "", same score + 1);
 *   - a full-text match, one per page: anchor "", score `title` when a query word is a word of one of the
 *     page's headings, `term` when it is only in the body (`partialTitle`, `partialTerm` for part of a word).
 *
 * The rule added here: on a teaching page (a chapter, book/chNN_*, or an appendix, book/appendix_X_*), a result
 * that shows the page teaches the query is lifted above every other result, in three tiers:
 *   3. a main index entry: a page says which terms it teaches with an `{index}` directive whose entries start
 *      with "!", placed right before the paragraph that introduces them (not the inline `{index}` role: its
 *      anchor is an empty span, and Sphinx 7.4's search page then fails to make the result's summary);
 *   2. a title that contains the whole query (the page title, or a section heading);
 *   1. a word of the query that is a word of one of the page's headings.
 * No term-to-page list lives in this file. Everything else (API objects, other pages, teaching pages that only
 * mention the query in their text) keeps Sphinx's own score and order, below those tiers. Index entries without
 * "!" are listed by Sphinx after all other results whatever their score.
 */

var Scorer = {
  // Sphinx's default weights (searchtools.js), unchanged.
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: {
    0: 15,
    1: 5,
    2: -5,
  },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,

  // A chapter or appendix page, in any edition (a translated tree adds a prefix such as "ko/").
  teachingPage: /(?:^|\/)book\/(?:ch\d{2}_|appendix_[a-z]_)[^/]*$/,
  // Anchors made by Sphinx's index directive and role.
  indexAnchor: /^#index-\d+$/,
  // Added per tier; larger than any score Sphinx gives (index entries reach 100), so tiers never mix.
  tierStep: 1000,

  /**
   * What kind of match a result is: "object", "index" (an index entry), "title" (a title containing the whole
   * query), "heading word" (a query word is a word of one of the page's headings) or "text" (the query only in
   * the page's body, or part of a word).
   */
  matchKind: (result) => {
    const [, , anchor, descr, score] = result;
    if (descr) return "object";
    if (Scorer.indexAnchor.test(anchor)) return "index";
    if (anchor) return "title"; // a section heading
    // One result per page with no anchor: a query word in a heading scores exactly `title`; a page-title match
    // scores round(title * query length / title length) + 1, which is more than title / 2 because the query is at
    // least half the title; words of the body and parts of words score `term`, `partialTitle` or `partialTerm`.
    // (A page-title match that happens to score exactly `title` too is taken as a heading word, one tier lower.)
    if (score === Scorer.title) return "heading word";
    return score > Scorer.title / 2 ? "title" : "text";
  },

  tiers: { index: 3, title: 2, "heading word": 1 },

  /** The tier of a result: 0 unless it is on a teaching page, else the tier of its kind of match (0 for text). */
  tier: (result) => {
    if (!Scorer.teachingPage.test(result[0])) return 0;
    return Scorer.tiers[Scorer.matchKind(result)] || 0;
  },

  score: (result) => Scorer.tier(result) * Scorer.tierStep + result[4],
};
