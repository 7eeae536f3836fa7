/* Purpose Gateway's GraphiQL page: the API key field, the declared purpose, the receipt. */
/* global window, document, fetch, React, ReactDOM, GraphiQL -- a browser script; the last three come from the UMD bundles */
(function () {
  "use strict";
  var endpoint = window.location.pathname;
  var keyInput = document.getElementById("pgw-key");
  var purposeOut = document.getElementById("pgw-purpose");
  var receiptOut = document.getElementById("pgw-receipt");
  var KEY_STORE = "pgw.apiKey";

  // the key lives for this tab only (sessionStorage), never in the URL or local storage
  try {
    keyInput.value = window.sessionStorage.getItem(KEY_STORE) || "";
  } catch {
    // no storage (a private window): the key lives in the field only
  }
  keyInput.addEventListener("input", function () {
    try {
      window.sessionStorage.setItem(KEY_STORE, keyInput.value.trim());
    } catch {
      // no storage (a private window): the key lives in the field only
    }
  });

  var DEFAULT_QUERY = [
    "# Purpose Gateway: paste an API key above (npm run demo prints them).",
    "# Every operation that reaches personal data declares its purpose with @purpose;",
    "# the docs (right) list the purposes each field may be read for.",
    "query Shop @purpose(name: SERVICE_PROVISION) {",
    "  customers(first: 5) {",
    "    id",
    "    fullName",
    "    email",
    "  }",
    "}",
    "",
  ].join("\n");

  /** The purpose each operation of the document declares, as written. */
  function declaredPurposes(text) {
    var found = [];
    var pattern = /@purpose\s*\(\s*name\s*:\s*([A-Za-z_$][A-Za-z0-9_]*)(?:\s*,?\s*agreement\s*:\s*"([^"]*)")?/g;
    var match;
    while ((match = pattern.exec(text || ""))) found.push(match[1] + (match[2] ? ' (agreement "' + match[2] + '")' : ""));
    return found;
  }

  function showPurpose(text) {
    var purposes = declaredPurposes(text);
    purposeOut.textContent = purposes.length ? purposes.join(", ") : "none declared";
    purposeOut.setAttribute("data-declared", purposes.length ? "true" : "false");
  }

  function showReceipt(body) {
    var receipt = body && body.extensions && body.extensions.governance;
    var codes = ((body && body.errors) || [])
      .map(function (e) {
        return e.extensions && e.extensions.code;
      })
      .filter(Boolean);
    if (!receipt) return;
    var parts = [
      codes.length && !body.data
        ? "refused " +
          codes
            .filter(function (c, i) {
              return codes.indexOf(c) === i;
            })
            .join(",")
        : "answered",
      "purpose " + (receipt.purpose || "none"),
      "policy " + (receipt.policyVersion || "?"),
      "audit #" + (receipt.auditSeq || "—"),
      receipt.customers + " customer(s)",
      "request " + receipt.requestId,
    ];
    receiptOut.textContent = parts.join(" · ");
    receiptOut.setAttribute("data-refused", codes.length && !body.data ? "true" : "false");
  }

  function fetcher(params, options) {
    // application/json: refusals come back 200 with their errors (GraphiQL shows them either way)
    var headers = { "content-type": "application/json", accept: "application/json" };
    var extra = (options && options.headers) || {};
    Object.keys(extra).forEach(function (name) {
      headers[name] = extra[name];
    });
    var key = keyInput.value.trim();
    if (key) headers.authorization = "Bearer " + key;
    return fetch(endpoint, { method: "POST", headers: headers, body: JSON.stringify(params) })
      .then(function (res) {
        return res.json();
      })
      .then(function (body) {
        if (params.operationName !== "IntrospectionQuery") showReceipt(body);
        return body;
      });
  }

  var stored = null;
  try {
    stored = window.localStorage.getItem("graphiql:query");
  } catch {
    // no storage (a private window): the key lives in the field only
  }
  showPurpose(stored || DEFAULT_QUERY);
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      onEditQuery: showPurpose,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
