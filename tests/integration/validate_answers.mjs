// Validates every answer of Bruno runs against docs/openapi.yaml.
//
//   node validate_answers.mjs OPENAPI.yaml REPORT.json [REPORT.json...]
//
// REPORT.json is `bru run --reporter-json`'s report: per request its url,
// method, and the response's status, headers and data (the body, parsed
// when JSON). Each answer is matched to its operation (path and method,
// below the path of the document's first server) and the response declared
// for its status; its Content-Type must be one the response declares, and a
// JSON body must validate against that media type's schema. An answer on a
// path or method the document does not have must be a 404 or 405 with the
// shared Error body. Every operation of the document must have been
// answered with a 2xx at least once (the collection covers every endpoint).
// Prints one line per failure, naming the request, its status and the
// schema error, and exits 1 when there was any.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// The pinned modules of tests/node (deploy/install-npm.sh), wherever this
// runs from.
const require = createRequire(new URL('../node/package.json', import.meta.url));
const Ajv2020 = require('ajv/dist/2020.js').default;
const addFormats = require('ajv-formats').default;
const YAML = require('yaml');

const [openapiPath, ...reports] = process.argv.slice(2);
if (!openapiPath || reports.length === 0) {
	console.error('usage: node validate_answers.mjs OPENAPI.yaml REPORT.json...');
	process.exit(2);
}
const doc = YAML.parse(readFileSync(openapiPath, 'utf8'), { maxAliasCount: -1 });
const base = new URL(doc.servers[0].url).pathname.replace(/\/$/, '');

// The component schemas become $defs of one schema; refs are rewritten to it.
const ROOT = 'https://mldash.invalid/openapi';
const rewrite = (node) => {
	if (Array.isArray(node)) return node.map(rewrite);
	if (node === null || typeof node !== 'object') return node;
	const out = {};
	for (const [k, v] of Object.entries(node))
		out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
			? `${ROOT}#/$defs/${v.slice('#/components/schemas/'.length)}`
			: rewrite(v);
	return out;
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: ROOT, $defs: rewrite(doc.components?.schemas ?? {}) });

const compiled = new Map();
const validator = (schema) => {
	const key = JSON.stringify(schema);
	if (!compiled.has(key)) compiled.set(key, ajv.compile(rewrite(schema)));
	return compiled.get(key);
};

// '#/components/responses/X' and friends.
const deref = (node) => {
	while (node && typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
		node = node.$ref.slice(2).split('/').reduce((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
	}
	return node;
};

const baseType = (t) => (t || '').split(';')[0].trim().toLowerCase();
let failures = 0, validated = 0, typedOnly = 0;
const METHODS = ['get', 'head', 'post', 'put', 'delete', 'patch', 'options', 'trace'];
const answered = new Set(); // "METHOD /path" of the operations answered 2xx
const fail = (what, msg) => {
	failures++;
	console.log(`FAIL: ${what}: ${msg}`);
};
const errorText = (v) => v.errors.map((e) => `${e.instancePath || '/'} ${e.message}` +
	(e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '')).join('; ');

for (const file of reports) {
	const runs = JSON.parse(readFileSync(file, 'utf8'));
	for (const run of Array.isArray(runs) ? runs : [runs]) {
		for (const r of run.results) {
			const method = (r.request?.method || 'GET').toLowerCase();
			const url = new URL(r.request.url);
			const status = r.response?.status;
			const what = `${r.test?.filename ?? r.name} (${method.toUpperCase()} ${url.pathname}${url.search}) ${status}`;
			if (typeof status !== 'number') {
				fail(what, `no answer: ${r.error ?? 'unknown error'}`);
				continue;
			}
			const path = url.pathname.startsWith(base + '/') ? url.pathname.slice(base.length) : null;
			const item = path === null ? undefined : doc.paths[path];
			const op = item?.[method];
			const headers = r.response.headers ?? {};
			const type = baseType(headers['content-type']);
			let schema;
			if (!op) {
				const expected = item ? 405 : 404;
				if (status !== expected) {
					fail(what, `not in the document, so expected ${expected}`);
					continue;
				}
				if (type !== 'application/json') {
					fail(what, `Content-Type '${headers['content-type']}', expected application/json`);
					continue;
				}
				schema = { $ref: '#/components/schemas/Error' };
			} else {
				if (status >= 200 && status < 300) answered.add(`${method.toUpperCase()} ${path}`);
				const resp = deref(op.responses?.[String(status)] ?? op.responses?.default);
				if (!resp) {
					fail(what, `status ${status} is not documented for ${method.toUpperCase()} ${path}`);
					continue;
				}
				const media = Object.entries(resp.content ?? {}).find(([t]) => baseType(t) === type);
				if (!media) {
					fail(what, `Content-Type '${headers['content-type']}' is not documented (documented: ${Object.keys(resp.content ?? {}).join(', ') || 'none'})`);
					continue;
				}
				schema = media[1].schema;
				if (type !== 'application/json' || !schema) {
					typedOnly++;
					continue;
				}
			}
			const body = r.response.data;
			if (body === null || typeof body !== 'object') {
				fail(what, `the body is not JSON: ${String(body).slice(0, 200)}`);
				continue;
			}
			const v = validator(schema);
			if (!v(body)) {
				fail(what, `schema: ${errorText(v)}`);
				continue;
			}
			validated++;
		}
	}
}
for (const [path, item] of Object.entries(doc.paths))
	for (const m of METHODS)
		if (item[m] && !answered.has(`${m.toUpperCase()} ${path}`))
			fail(`${m.toUpperCase()} ${path}`, 'documented, but no request of the runs got a 2xx answer from it: add one to bruno/');
console.log(`answers: ${validated} JSON bodies valid against their schema, ${typedOnly} other answers of a documented type, ${failures} failures`);
process.exit(failures ? 1 : 0);
