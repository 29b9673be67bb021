// mcp-client.mjs: a tiny MCP client on the official TypeScript SDK, for
// tests/reach.sh.  It spawns a command (ssh, socat, the server itself),
// connects, lists the tools, calls `query` and prints one JSON summary line
// on stdout.  Exit status 0 on success, 1 if anything failed (including a
// tool result with isError), 2 on a usage error.  With --calls FILE (a
// JSON array of {name, arguments}) it makes those calls instead, each of
// which the SDK checks against the tool's outputSchema; summary.calls
// says how each went.  With --prompts FILE (a JSON array of {name,
// arguments}) it lists the prompts and gets each of those instead, the SDK
// checking both results' shapes; summary.prompts holds the names listed,
// summary.gets how each get went (its message text on success).  With
// --resources it lists every page of resources, reads the first, lists the
// templates and completes the template's schema and table variables
// (summary.resources, .read, .templates, .schemas, .tables), the SDK
// checking each result's shape.
//
//   node mcp-client.mjs [--sql SQL | --sql-file FILE | --calls FILE |
//       --prompts FILE | --resources]
//       [--client-name NAME] [--env NAME=VALUE]... [--timeout MS]
//       -- COMMAND [ARG]...
//
// The SDK passes only HOME, LOGNAME, PATH, SHELL, TERM and USER to the
// child; --env adds to that set (e.g. LANG for ssh's SendEnv).
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const USAGE = 'usage: mcp-client.mjs [--sql SQL | --sql-file FILE | --calls FILE | ' +
    '--prompts FILE | --resources] ' +
    '[--client-name NAME] [--env NAME=VALUE]... [--timeout MS] -- COMMAND [ARG]...';

// Parses argv into options and the command; exits 2 on a usage error.
function parseArgs(argv) {
	const o = { sql: 'SELECT 1 AS one', name: 'reach-test', env: {},
	    timeout: 60000, command: null, args: [], calls: null,
	    prompts: null, resources: false };
	let i = 0;
	for (; i < argv.length && argv[i] !== '--'; i += 2) {
		if (argv[i] === '--resources') {
			o.resources = true;
			i--;
			continue;
		}
		const v = argv[i + 1];
		if (v === undefined)
			usage();
		switch (argv[i]) {
		case '--sql': o.sql = v; break;
		case '--sql-file': o.sql = readFileSync(v, 'utf8'); break;
		case '--calls':
			o.calls = JSON.parse(readFileSync(v, 'utf8'));
			break;
		case '--prompts':
			o.prompts = JSON.parse(readFileSync(v, 'utf8'));
			break;
		case '--client-name': o.name = v; break;
		case '--timeout': o.timeout = Number(v); break;
		case '--env': {
			const eq = v.indexOf('=');
			if (eq < 1)
				usage();
			o.env[v.slice(0, eq)] = v.slice(eq + 1);
			break;
		}
		default: usage();
		}
	}
	if (argv[i] !== '--' || i + 1 >= argv.length ||
	    !(o.timeout > 0))
		usage();
	o.command = argv[i + 1];
	o.args = argv.slice(i + 2);
	return o;
}

function usage() {
	console.error(USAGE);
	process.exit(2);
}

// The text of a tool result's first text block, or ''.
function firstText(result) {
	const t = (result.content || []).find((c) => c.type === 'text');
	return t ? t.text : '';
}

// The --resources walk: every page, one read, the templates, completions.
async function resources(client, o, summary) {
	const opt = { timeout: o.timeout };
	summary.resources = [];
	let cursor;
	do {
		const page = await client.listResources(cursor === undefined ?
		    undefined : { cursor }, opt);
		summary.resources.push(...page.resources.map((r) => r.uri));
		cursor = page.nextCursor;
	} while (cursor !== undefined && summary.resources.length < 10000);
	const r = await client.readResource({ uri: summary.resources[0] }, opt);
	summary.read = JSON.parse(r.contents[0].text);
	const t = await client.listResourceTemplates(undefined, opt);
	summary.templates = t.resourceTemplates.map((x) => x.uriTemplate);
	const ref = { type: 'ref/resource', uri: summary.templates[0] };
	const s = await client.complete({ ref,
	    argument: { name: 'schema', value: 'ti' } }, opt);
	summary.schemas = s.completion.values;
	const tb = await client.complete({ ref,
	    argument: { name: 'table', value: 'in' },
	    context: { arguments: { schema: 'tickets' } } }, opt);
	summary.tables = tb.completion.values;
	summary.ok = true;
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const transport = new StdioClientTransport({ command: o.command,
	    args: o.args, env: o.env, stderr: 'inherit' });
	const client = new Client({ name: o.name, version: '1.0.0' });
	const summary = { ok: false };
	try {
		await client.connect(transport, { timeout: o.timeout });
		summary.server = client.getServerVersion();
		const { tools } = await client.listTools(undefined,
		    { timeout: o.timeout });
		summary.tools = tools.map((t) => t.name);
		if (o.resources) {
			await resources(client, o, summary);
		} else if (o.prompts !== null) {
			const { prompts } = await client.listPrompts(undefined,
			    { timeout: o.timeout });
			summary.prompts = prompts.map((p) => p.name);
			summary.gets = [];
			for (const g of o.prompts) {
				const one = { name: g.name };
				try {
					const r = await client.getPrompt(g,
					    { timeout: o.timeout });
					one.ok = r.messages.length === 1 &&
					    r.messages[0].role === 'user' &&
					    r.messages[0].content.type === 'text';
					one.text = one.ok ?
					    r.messages[0].content.text : '';
				} catch (e) {
					one.ok = false;
					one.error = String(e && e.message ?
					    e.message : e);
				}
				summary.gets.push(one);
			}
			summary.ok = summary.gets.every((g) => g.ok);
		} else if (o.calls !== null) {
			summary.calls = [];
			for (const c of o.calls) {
				const one = { name: c.name, progress: 0 };
				try {
					// onprogress makes the SDK send a
					// progressToken and count the notes.
					const r = await client.callTool(c,
					    undefined, { timeout: o.timeout,
					    onprogress: () => { one.progress++; } });
					one.ok = !r.isError;
					if (r.isError)
						one.error = firstText(r);
				} catch (e) {
					one.ok = false;
					one.error = String(e && e.message ?
					    e.message : e);
				}
				summary.calls.push(one);
			}
			summary.ok = summary.calls.every((c) => c.ok);
		} else {
			const r = await client.callTool({ name: 'query',
			    arguments: { sql: o.sql } }, undefined,
			    { timeout: o.timeout });
			summary.isError = Boolean(r.isError);
			summary.structured = r.structuredContent;
			summary.text = firstText(r).slice(0, 2000);
			summary.ok = !r.isError;
		}
	} catch (e) {
		summary.error = String(e && e.message ? e.message : e);
	} finally {
		await client.close().catch(() => {});
	}
	process.stdout.write(JSON.stringify(summary) + '\n');
	process.exitCode = summary.ok ? 0 : 1;
}

main();
