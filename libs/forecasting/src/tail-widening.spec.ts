import { chooseTailWidening, WideningTrial } from './tail-widening';

const trial = (widen: number, ...origins: [number, number][]): WideningTrial => ({ widen, perOrigin: origins.map(([below10, above90]) => ({ below10, above90 })) });

describe('chooseTailWidening', () => {
  it.each([
    {
      name: 'each tail follows the origin where it is worst',
      trials: [trial(1, [0.13, 0.16], [0.18, 0.08]), trial(1.2, [0.1, 0.11], [0.13, 0.06]), trial(1.3, [0.08, 0.096], [0.115, 0.05]), trial(1.5, [0.06, 0.07], [0.095, 0.03])],
      expected: { widenBelow: 1.5, widenAbove: 1.3, worstBelow10: 0.095, worstAbove90: 0.096 },
    },
    {
      name: 'calibrated years keep both tails unwidened',
      trials: [trial(0.8, [0.15, 0.15]), trial(1, [0.1, 0.1]), trial(1.2, [0.07, 0.07])],
      expected: { widenBelow: 1, widenAbove: 1, worstBelow10: 0.1, worstAbove90: 0.1 },
    },
    {
      name: 'a tie goes to the smaller factor',
      trials: [trial(1.4, [0.09, 0.09]), trial(1.2, [0.11, 0.11])],
      expected: { widenBelow: 1.2, widenAbove: 1.2 },
    },
  ])('$name', ({ trials, expected }) => {
    expect(chooseTailWidening(trials)).toMatchObject(expected);
  });

  it.each([[[]], [[trial(1)]], [[trial(0, [0.1, 0.1])]]])('refuses trials it cannot choose from (%#)', (trials) => {
    expect(() => chooseTailWidening(trials)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});
