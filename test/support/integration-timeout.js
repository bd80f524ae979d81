// Integration tests drive a real network on a 2-core machine: minutes, not the unit default of 5 s.
jest.setTimeout(180_000);
