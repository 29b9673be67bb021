// mcp-client-v2.mjs: a 2026-07-28 MCP client on the official TypeScript
// SDK v2 (@modelcontextprotocol/client), for tests/integration/stateless.py.
// It spawns COMMAND, negotiates the era the way the SDK does (server/discover
// first), then uses every kind of method the server offers: it calls each
// tool of the --calls FILE (the SDK checks each result against the tool's
// outputSchema), lists every page of resources and reads the first, lists
// the resource templates and the prompts, gets the --prompt NAME with
// --prompt-args JSON, and asks for a completion of its first argument.
// It prints one JSON summary line; exit status 0 when all of that worked,
// 1 otherwise, 2 on a usage error.
//
//   node mcp-client-v2.mjs [--mode pin|auto] [--calls FILE]
//       [--prompt NAME --prompt-args JSON] [--timeout MS] -- COMMAND [ARG]...
//
// --mode pin (the default) speaks 2026-07-28 only: it fails against a
// server that does not answer server/discover.  --mode auto falls back to
// initialize the way a dual-era client does; summary.version says which
// revision was spoken.
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const USAGE = 'usage: mcp-client-v2.mjs [--mode pin|auto] [--calls FILE] ' +
    '[--prompt NAME --prompt-args JSON] [--timeout MS] -- COMMAND [ARG]...';

function usage() {
	console.error(USAGE);
	process.exit(2);
}

// Parses argv into options and the command; exits 2 on a usage error.
function parseArgs(argv) {
	const o = { mode: 'pin', calls: [], prompt: null, promptArgs: {},
	    timeout: 60000 };
	let i = 0;
	for (; i < argv.length && argv[i] !== '--'; i += 2) {
		const v = argv[i + 1];
		if (v === undefined)
			usage();
		switch (argv[i]) {
		case '--mode': o.mode = v; break;
		case '--calls':
			o.calls = JSON.parse(readFileSync(v, 'utf8'));
			break;
		case '--prompt': o.prompt = v; break;
		case '--prompt-args': o.promptArgs = JSON.parse(v); break;
		case '--timeout': o.timeout = Number(v); break;
		default: usage();
		}
	}
	if (argv[i] !== '--' || i + 1 >= argv.length ||
	    !(o.timeout > 0) || !['pin', 'auto'].includes(o.mode))
		usage();
	o.command = argv[i + 1];
	o.args = argv.slice(i + 2);
	return o;
}

function message(e) {
	return String(e && e.message ? e.message : e);
}

// Runs step, recording its error in summary.errors; returns its value.
async function step(summary, name, fn) {
	try {
		return await fn();
	} catch (e) {
		summary.errors.push(name + ': ' + message(e));
		return undefined;
	}
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const transport = new StdioClientTransport({ command: o.command,
	    args: o.args, stderr: 'inherit' });
	const client = new Client({ name: 'stateless-test', version: '1.0.0' },
	    { versionNegotiation: o.mode === 'pin' ?
	    { mode: { pin: '2026-07-28' } } : { mode: 'auto' } });
	const opt = { timeout: o.timeout };
	const summary = { errors: [] };
	try {
		await client.connect(transport, opt);
	} catch (e) {
		summary.errors.push('connect: ' + message(e));
		process.stdout.write(JSON.stringify(summary) + '\n');
		process.exit(1);
	}
	summary.version = client.getNegotiatedProtocolVersion();
	const d = client.getDiscoverResult();
	summary.discover = d === undefined ? null : {
	    supportedVersions: d.supportedVersions,
	    capabilities: Object.keys(d.capabilities || {}).sort(),
	    server: (d._meta || {})['io.modelcontextprotocol/serverInfo'],
	    ttlMs: d.ttlMs, cacheScope: d.cacheScope };

	const tools = await step(summary, 'tools/list',
	    () => client.listTools(undefined, opt));
	summary.tools = tools ? tools.tools.map((t) => t.name) : [];
	summary.calls = [];
	for (const c of o.calls) {
		const one = { name: c.name, progress: 0 };
		try {
			// onprogress makes the SDK send a progressToken.
			const r = await client.callTool(c, { ...opt,
			    onprogress: () => { one.progress++; } });
			one.ok = !r.isError;
			if (r.isError)
				one.error = JSON.stringify(r.content);
		} catch (e) {
			one.ok = false;
			one.error = message(e);
		}
		summary.calls.push(one);
	}

	summary.resources = [];
	let cursor;
	do {
		const page = await step(summary, 'resources/list',
		    () => client.listResources(cursor === undefined ?
		    undefined : { cursor }, opt));
		if (page === undefined)
			break;
		summary.resources.push(...page.resources.map((r) => r.uri));
		cursor = page.nextCursor;
	} while (cursor !== undefined && summary.resources.length < 10000);
	if (summary.resources.length > 0) {
		const r = await step(summary, 'resources/read', () =>
		    client.readResource({ uri: summary.resources[0] }, opt));
		summary.read = r ? r.contents.map((c) => c.mimeType) : null;
	}
	const t = await step(summary, 'resources/templates/list',
	    () => client.listResourceTemplates(undefined, opt));
	summary.templates = t ? t.resourceTemplates.map((x) => x.uriTemplate) :
	    [];

	const p = await step(summary, 'prompts/list',
	    () => client.listPrompts(undefined, opt));
	summary.prompts = p ? p.prompts.map((x) => x.name) : [];
	if (o.prompt !== null) {
		const g = await step(summary, 'prompts/get', () =>
		    client.getPrompt({ name: o.prompt,
		    arguments: o.promptArgs }, opt));
		summary.promptText = g ? g.messages[0].content.text : null;
		const first = Object.keys(o.promptArgs)[0];
		if (first !== undefined) {
			const c = await step(summary, 'completion/complete',
			    () => client.complete({ ref: { type: 'ref/prompt',
			    name: o.prompt }, argument: { name: first,
			    value: '' } }, opt));
			summary.completion = c ? c.completion.values : null;
		}
	}
	await client.close().catch(() => {});
	const ok = summary.errors.length === 0 &&
	    summary.calls.every((c) => c.ok);
	process.stdout.write(JSON.stringify(summary) + '\n');
	process.exitCode = ok ? 0 : 1;
}

main();
