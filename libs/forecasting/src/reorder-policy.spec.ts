import { simulateOrderUpTo } from './reorder-policy';

describe('(R, S) inventory simulation with backorders', () => {
  it.each([
    // S covers every two-month window: no stock-out.
    [[20, 20, 20], [10, 10, 10, 10], 1, 1, 0, 3],
    // The second window (months 1-2) needs 25 against an order-up-to of 20.
    [[20, 20, 20], [5, 10, 15, 5], 1, 1, 1, 3],
    // Lead time 2: windows of three months.
    [[30, 30], [10, 10, 10, 11], 2, 1, 1, 2],
  ])('levels %j, demand %j, lead %i, review %i: %i stock-outs in %i cycles', (levels, demand, lead, review, stockOuts, cycles) => {
    const outcome = simulateOrderUpTo(levels.map((orderUpTo) => ({ orderUpTo })), demand, lead, review);
    expect(outcome).toMatchObject({ stockOuts, cycles });
  });
});
