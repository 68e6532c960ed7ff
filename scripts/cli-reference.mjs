// Rewrites the reference part of docs/cli.md from the CLI's own help (`ferkit help --all`),
// keeping the page's introduction. A test checks that the two agree.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HELP, fullHelp } from '../dist/src/cli/main.js';

const file = fileURLToPath(new URL('../docs/cli.md', import.meta.url));
const page = readFileSync(file, 'utf8');
const intro = page.slice(0, page.indexOf('```text'));
const sections = (await fullHelp()).split(/\n\n(?=ferkit )/).map((block) => `## ferkit ${block.split(/\s+/)[1]}\n\n\`\`\`text\n${block.trim()}\n\`\`\`\n`);
writeFileSync(file, `${intro}\`\`\`text\n${HELP}\n\`\`\`\n\n${sections.join('\n')}`);
console.log(`wrote ${file}`);
