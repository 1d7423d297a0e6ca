// Starts GraphiQL on the page that GET /graphql serves to a browser. A file rather than an inline
// script: the page's Content-Security-Policy runs scripts from this server and nothing else.
"use strict";

(function () {
  const url = window.location.origin + window.location.pathname;
  const fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: url.replace(/^http/, "ws") });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: "# Put your token in Headers below, then run (Ctrl-Enter):\n{ me { email team } }\n",
      defaultHeaders: '{\n  "Authorization": "Bearer <token>"\n}',
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
    }),
  );
})();
