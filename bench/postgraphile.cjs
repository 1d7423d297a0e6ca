// PostGraphile v4 over the benchmark database, for the side-by-side timeline comparison.
//
//   node bench/postgraphile.cjs CONNECTION_STRING PORT [WORKERS]
//
// npm keeps the project's graphql 16 at the top of node_modules (the test suite
// uses it) and gives PostGraphile's packages graphql 15 in two nested copies;
// graphql refuses types from "another realm", so every require("graphql") is sent
// to PostGraphile's own copy. WORKERS > 1 forks that many cluster workers.

const Module = require("node:module");
const path = require("node:path");
const cluster = require("node:cluster");
const http = require("node:http");

const home = path.dirname(require.resolve("postgraphile/package.json"));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  if (request === "graphql" || request.startsWith("graphql/")) {
    return resolve.call(this, request, parent, isMain, { paths: [home] });
  }
  return resolve.call(this, request, parent, isMain, options);
};

const [connection, port, workers = "1"] = process.argv.slice(2);
if (!connection || !port) {
  console.error("usage: node bench/postgraphile.cjs CONNECTION_STRING PORT [WORKERS]");
  process.exit(2);
}

if (cluster.isPrimary && Number(workers) > 1) {
  for (let i = 0; i < Number(workers); i += 1) cluster.fork();
  cluster.on("exit", (worker, code) => {
    console.error(`postgraphile worker ${worker.process.pid} exited with ${code}`);
    process.exit(1);
  });
} else {
  const { postgraphile } = require("postgraphile");
  const handler = postgraphile(connection, "public", {
    disableQueryLog: true,
    graphiql: false,
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    ignoreRBAC: false,
    retryOnInitFail: false,
  });
  http.createServer(handler).listen(Number(port), "127.0.0.1", () => {
    console.log(`postgraphile listening on 127.0.0.1:${port} (pid ${process.pid})`);
  });
}
