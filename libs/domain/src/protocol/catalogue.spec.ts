import * as fs from 'node:fs';
import * as path from 'node:path';
import { authorityMatrixMarkdown, COMMAND_AUTHORITY } from './catalogue';

describe('the authority catalogue', () => {
  it('names every chaincode write once', () => {
    const names = COMMAND_AUTHORITY.map((c) => c.transaction);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives only the dispenser role Dispense, and makers alone commission, register, recall and extend', () => {
    const roles = (t: string) => COMMAND_AUTHORITY.find((c) => c.transaction === t)?.roles;
    expect(roles('Dispense')).toEqual(['dispenser']);
    for (const t of ['Commission', 'RegisterProduct', 'RecallLot', 'ExtendExpiry']) expect(roles(t)).toEqual(['manufacturer', 'repackager']);
  });

  it('is what docs/authority.md shows (regenerate with npm run -s docs:authority)', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../../../docs/authority.md'), 'utf8');
    expect(doc).toBe(authorityMatrixMarkdown());
  });
});
