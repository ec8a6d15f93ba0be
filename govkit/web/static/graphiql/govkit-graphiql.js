// govkit's GraphiQL start-up (govkit's own file, not vendored): a separate script, so that the
// page runs under a Content-Security-Policy without 'unsafe-inline'. Queries go to the page's
// own URL (/graphql); nothing is loaded from another host.
(function () {
  "use strict";
  var EXAMPLE_QUERY =
    "# govkit GraphQL API explorer.\n" +
    "# Ctrl-Enter runs the query; Ctrl-Space completes. Add an\n" +
    "# Authorization: Bearer <token> header below to act as someone.\n" +
    "\n" +
    "{\n  organisations {\n    code\n    name\n  }\n}\n";
  var endpoint = window.location.origin + window.location.pathname;
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: EXAMPLE_QUERY,
      defaultEditorToolsVisibility: true,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
