import { GraphQLRequestError, postGraphQL, requestGraphQL } from './index';

/** fetch answering `body` with `status`, recording what it was asked. */
function answering(body: string, status = 200): { calls: Array<{ url: string; init: RequestInit }> } {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  global.fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { calls };
}

describe('GraphQL over HTTP', () => {
  const realFetch = global.fetch;
  afterEach(() => { global.fetch = realFetch; });

  it('POSTs the operation as JSON with the API key and returns the data', async () => {
    const { calls } = answering(JSON.stringify({ data: { pack: { status: 'ACTIVE' } } }));
    await expect(requestGraphQL('http://svc/graphql', 'query($e: String!) { pack(epc: $e) { status } }', { e: 'x' }, { apiKey: 'k' })).resolves.toEqual({ pack: { status: 'ACTIVE' } });
    expect(calls[0].url).toBe('http://svc/graphql');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.headers).toMatchObject({ 'content-type': 'application/json', 'x-api-key': 'k' });
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ query: 'query($e: String!) { pack(epc: $e) { status } }', variables: { e: 'x' } });
  });

  it('throws GraphQL errors with their codes, the domain code first', async () => {
    answering(JSON.stringify({ errors: [{ message: 'already dispensed', extensions: { code: 'CONFLICT', domainCode: 'PACK_DISPENSED' } }, { message: 'second' }] }));
    const err = await requestGraphQL('http://svc/graphql', '{ x }').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphQLRequestError);
    expect((err as GraphQLRequestError).message).toBe('PACK_DISPENSED: already dispensed; second');
    expect((err as GraphQLRequestError).code).toBe('PACK_DISPENSED');
  });

  it('returns errors as they came to callers that look at them', async () => {
    answering(JSON.stringify({ errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }] }), 200);
    await expect(postGraphQL('http://svc/graphql', '{ x }')).resolves.toEqual({ errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }] });
  });

  it('an answer that is not GraphQL (a proxy page) is an error naming the status', async () => {
    answering('<html>bad gateway</html>', 502);
    await expect(postGraphQL('http://svc/graphql', '{ x }')).rejects.toMatchObject({ name: 'GraphQLRequestError', status: 502, message: expect.stringContaining('answered 502') });
  });
});
