import { mase, pinball, scaledPinball, seasonalNaiveScale } from './accuracy';

describe('accuracy', () => {
  it('scales by the in-sample seasonal naive error', () => {
    const history = [1, 2, 3, 4, 2, 3, 4, 5];
    expect(seasonalNaiveScale(history, 4)).toBe(1);
    expect(mase([10, 10], [11, 8], 1)).toBe(1.5);
  });

  it('computes the pinball loss on both sides', () => {
    expect(pinball(10, 8, 0.9)).toBeCloseTo(1.8);
    expect(pinball(10, 12, 0.9)).toBeCloseTo(0.2);
    // At the median the pinball loss is half the absolute error, so scaled pinball of a point forecast is MASE / 2.
    expect(scaledPinball([10, 10], [0.5], [[11, 8]], 1)).toBeCloseTo(0.75);
  });
});
