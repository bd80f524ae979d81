import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMPRESSION_OPTIMISATIONS } from '../../../libs/domain/src/gs1/digital-link-compression.generated';
import { objectLiteral, render } from './generate-dl-compression-table';

describe('generate-dl-compression-table', () => {
  it('reads the optimisation table literal of the toolkit source, and refuses anything else', () => {
    const source = 'class X {\n constructor() {\n\t\tconst tableOpt = {"0A":["01","22"],"9D":["414","254"]}\n\t\tconst other = 1;\n';
    expect(objectLiteral(source, 'tableOpt')).toEqual({ '0A': ['01', '22'], '9D': ['414', '254'] });
    expect(() => objectLiteral('const tableOpt = {"0A":["01","x"]}\n', 'tableOpt')).toThrow(/not a sequence of AIs/);
    expect(() => objectLiteral('nothing here', 'tableOpt')).toThrow(/no "const tableOpt/);
  });

  it('the committed table is what the generator renders', () => {
    const file = fs.readFileSync(path.resolve(__dirname, '../../../libs/domain/src/gs1/digital-link-compression.generated.ts'), 'utf8');
    const revision = /prototype, (\S+)\.\n/.exec(file)?.[1] as string;
    expect(render(COMPRESSION_OPTIMISATIONS as Record<string, string[]>, revision)).toBe(file);
  });
});
