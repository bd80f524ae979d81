import * as fs from 'node:fs';
import * as path from 'node:path';
import { authorityMatrixMarkdown } from '../protocol/catalogue';

/** `npm run -s docs:authority`: writes docs/authority.md from the chaincode's authority catalogue. */
const root = path.resolve(__dirname, '../../../../..');
const file = path.join(fs.existsSync(path.join(root, 'nest-cli.json')) ? root : process.cwd(), 'docs/authority.md');
fs.writeFileSync(file, authorityMatrixMarkdown());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
