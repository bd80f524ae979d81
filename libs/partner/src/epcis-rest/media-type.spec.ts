import { answerMediaType } from './media-type';

describe('the media type of a query answer, by Accept', () => {
  it.each([
    ['*/*', 'json'], ['application/json', 'json'], ['application/ld+json', 'json'], ['application/*', 'json'],
    ['application/xml', 'xml'], ['text/xml', 'xml'], ['application/xml, application/json', 'xml'],
    ['application/json;q=0.5, application/xml', 'xml'], ['application/xml;q=0.2, */*;q=0.9', 'json'], ['text/html, application/xml;q=0.9', 'xml'],
  ])('%s -> %s', (accept, type) => expect(answerMediaType(accept)).toBe(type));

  it.each(['text/csv', 'application/xml;q=0', 'text/html'])('%s -> 406 NotAcceptableException', (accept) => {
    expect(() => answerMediaType(accept)).toThrow(expect.objectContaining({ status: 406 }));
  });
});
