import { loadOrderers, ordererCount, peerOrgsOf } from './topology';

const orgs = peerOrgsOf(['a', 'b', 'c', 'd'].map((k, i) => ({ key: `org${k}`, mspId: `Org${k}MSP`, roles: ['dispenser'], host: `127.0.${i + 1}.1` })));

describe('ordererCount (PEDIGREE_ORDERERS)', () => {
  it.each([[undefined, undefined], ['', undefined], ['1', 1], ['3', 3]])('%j → %j', (setting, want) => {
    expect(ordererCount(setting)).toBe(want);
  });

  it.each(['0', '-1', '1.5', 'three'])('refuses %j', (setting) => {
    expect(() => ordererCount(setting)).toThrow(/PEDIGREE_ORDERERS must be a whole number/);
  });
});

describe('loadOrderers', () => {
  it.each([
    ['no marks, no count: the first three members', [], undefined, ['orga', 'orgb', 'orgc']],
    ['the members marked `orderer: true`', ['orgb', 'orgd'], undefined, ['orgb', 'orgd']],
    ['a count keeps the first n of them (the bench\'s single node)', [], 1, ['orga']],
    ['a count beyond the marked members changes nothing', ['orgb', 'orgd'], 5, ['orgb', 'orgd']],
  ])('%s', (_, owners, count, want) => {
    expect(loadOrderers(orgs, owners, count).map((n) => n.owner.key)).toEqual(want);
  });

  it('numbers the nodes\' ports by their place among the nodes, on the owner\'s host', () => {
    const [first, second] = loadOrderers(orgs, ['orgb', 'orgd'], undefined);
    expect(second!.port - first!.port).toBe(100);
    expect(second!.address).toBe('127.0.4.1');
    expect(first!.process).toBe('orderer-orgb');
  });
});
