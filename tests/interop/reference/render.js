// Reference renderer for the interop tests: the real handlebars.js and nunjucks.
// Reads one JSON array of jobs on stdin, writes one JSON array of results on stdout.
// Each job: {engine: "handlebars" | "nunjucks", template, data, partials?}.
// Handlebars is compiled as Dotprompt compiles it (noEscape, knownHelpersOnly) with
// Dotprompt's helpers; Nunjucks as promptfoo configures it (autoescape off).
"use strict";
const path = require("path");
const modules = process.env.INTEROP_NODE_MODULES || path.join(__dirname, "node_modules");
const Handlebars = require(path.join(modules, "handlebars"));
const nunjucks = require(path.join(modules, "nunjucks"));

function dotpromptHandlebars(partials) {
  const hb = Handlebars.create();
  const known = {};
  const helpers = {
    role: (name) => new hb.SafeString(`<<<dotprompt:role:${name}>>>`),
    history: () => new hb.SafeString("<<<dotprompt:history>>>"),
    section: (name) => new hb.SafeString(`<<<dotprompt:section ${name}>>>`),
    media: (options) =>
      new hb.SafeString(
        `<<<dotprompt:media:url ${options.hash.url}` +
          (options.hash.contentType ? ` ${options.hash.contentType}` : "") + ">>>"
      ),
    json: (value, options) => new hb.SafeString(JSON.stringify(value, null, options.hash.indent || 0)),
    ifEquals: function (a, b, options) { return a === b ? options.fn(this) : options.inverse(this); },
    unlessEquals: function (a, b, options) { return a !== b ? options.fn(this) : options.inverse(this); },
  };
  for (const [name, fn] of Object.entries(helpers)) {
    hb.registerHelper(name, fn);
    known[name] = true;
  }
  for (const [name, source] of Object.entries(partials || {})) hb.registerPartial(name, source);
  return { hb, known };
}

function run(job) {
  try {
    if (job.engine === "handlebars") {
      const { hb, known } = dotpromptHandlebars(job.partials);
      const fn = hb.compile(job.template, { noEscape: true, knownHelpers: known, knownHelpersOnly: true });
      return { ok: true, output: fn(job.data || {}) };
    }
    if (job.engine === "nunjucks") {
      const env = new nunjucks.Environment(null, { autoescape: false });
      return { ok: true, output: env.renderString(job.template, job.data || {}) };
    }
    return { ok: false, error: `unknown engine ${job.engine}` };
  } catch (err) {
    return { ok: false, error: String(err && err.message ? err.message : err) };
  }
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const jobs = JSON.parse(input);
  process.stdout.write(JSON.stringify(jobs.map(run)));
});
