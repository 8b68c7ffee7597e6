import type { Socket } from 'node:net';
import { answerClientError } from './early-errors';

function fakeSocket() {
  const socket = { destroyed: false, writable: true, written: '', write: jest.fn(), destroy: jest.fn() };
  socket.write.mockImplementation((text: string) => (socket.written += text));
  return socket;
}

const clientError = (code: string, rawPacket?: string) =>
  Object.assign(new Error(code), { code, rawPacket: rawPacket ? Buffer.from(rawPacket) : undefined });

function answer(code: string, rawPacket?: string) {
  const socket = fakeSocket();
  answerClientError({ 'referrer-policy': 'no-referrer' })(
    clientError(code, rawPacket),
    socket as unknown as Socket,
  );
  const [head, body] = socket.written.split('\r\n\r\n');
  return { socket, head, body: JSON.parse(body) as Record<string, unknown> };
}

describe('answerClientError', () => {
  it('answers a header overflow with 431 problem+json, a request id and the given headers', () => {
    const { socket, head, body } = answer('HPE_HEADER_OVERFLOW', `GET /v1/products?q=${'x'.repeat(5000)}`);
    expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(head).toContain('content-type: application/problem+json; charset=utf-8');
    expect(head).toContain('referrer-policy: no-referrer');
    expect(head).toContain(`x-request-id: ${String(body.requestId)}`);
    expect(body).toEqual(
      expect.objectContaining({
        type: '/problems/request-header-fields-too-large',
        status: 431,
        instance: '/v1/products',
      }),
    );
    expect(socket.destroy).toHaveBeenCalled();
  });

  it('answers a timeout with 408 and anything else with 400, never echoing a strange path', () => {
    expect(answer('ERR_HTTP_REQUEST_TIMEOUT').body).toEqual(
      expect.objectContaining({ status: 408, instance: '/' }),
    );
    expect(answer('HPE_INVALID_METHOD', 'GE"T /<script> HTTP/1.1').body).toEqual(
      expect.objectContaining({ status: 400, type: '/problems/malformed-request', instance: '/' }),
    );
  });

  it('writes nothing to a reset connection', () => {
    const socket = fakeSocket();
    answerClientError({})(clientError('ECONNRESET'), socket as unknown as Socket);
    expect(socket.write).not.toHaveBeenCalled();
  });
});
