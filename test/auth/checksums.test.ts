// Our CRCs against their published check values and the AWS SDK's implementations, over odd splits and
// unaligned buffers (the word-at-a-time loop must not care where a buffer starts).
import t from 'tap';
import { createChecksum, checksumAlgorithmOf } from '../../src/auth/checksum/create-checksum.js';
import { crc32Tables, crc32Update } from '../../src/auth/checksum/crc32-tables.js';
import { ALGORITHMS, payloadOf, referenceChecksum } from './helpers/body-fixtures.js';
import { pieces } from './helpers/feed.js';

const check = Buffer.from('123456789');
const hexOf = (alg: (typeof ALGORITHMS)[number], data: Buffer) => {
  const c = createChecksum(alg);
  c.update(data);
  return Buffer.from(c.digest(), 'base64').toString('hex');
};

t.test('published check values of "123456789"', async (t) => {
  t.equal(hexOf('crc32', check), 'cbf43926');
  t.equal(hexOf('crc32c', check), 'e3069283');
  t.equal(hexOf('crc64nvme', check), 'ae8b14860a799888');
  t.equal(crc32Update(crc32Tables(0xedb88320), 0, check).toString(16), 'cbf43926', 'the table code, for nodes without zlib.crc32');
});

t.test('same digests as the AWS SDK, whatever the split and alignment', async (t) => {
  for (const size of [0, 1, 7, 15, 16, 17, 1000, 70_001]) {
    const data = payloadOf(size + 3, size).subarray(3);
    for (const alg of ALGORITHMS) {
      const expected = await referenceChecksum(alg, data);
      for (const split of ['whole', 'random', ...(size <= 1000 ? ['bytes'] as const : [])] as const) {
        const c = createChecksum(alg);
        for (const p of pieces(data, split, size)) c.update(p);
        t.equal(c.digest(), expected, `${alg}, ${size} bytes, ${split}`);
      }
    }
  }
  const slow = crc32Tables(0xedb88320);
  const data = payloadOf(10_007);
  for (let offset = 0; offset < 8; offset++) {
    const d = data.subarray(offset);
    t.equal(crc32Update(slow, 0, d), Buffer.from(await referenceChecksum('crc32', d), 'base64').readUInt32BE(0), `table crc32 at offset ${offset}`);
  }
});

t.test('checksum header names', async (t) => {
  t.equal(checksumAlgorithmOf('x-amz-checksum-crc32'), 'crc32');
  t.equal(checksumAlgorithmOf('X-Amz-Checksum-CRC64NVME'), 'crc64nvme');
  t.equal(checksumAlgorithmOf('x-amz-checksum-type'), undefined);
  t.equal(checksumAlgorithmOf('x-amz-checksum-md5'), undefined);
  t.equal(checksumAlgorithmOf('content-md5'), undefined);
});
