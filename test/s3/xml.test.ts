import t from 'tap';
import { decodeXmlText } from '../../src/s3/xml-text.js';
import { parseDeleteRequest, parseDeleteResult, parseXml } from '../../src/s3/xml.js';
import { parseListPage } from '../../src/region/list-page.js';

t.test('character data decodes as an XML 1.0 parser decodes it', async (t) => {
  const table: Array<[string, string]> = [
    ['plain', 'plain'],
    ['&lt;&gt;&amp;&apos;&quot;', `<>&'"`],
    ['it&#39;s', "it's"], ['it&#x27;s', "it's"], ['it&#X27;s'.replace('X', 'x'), "it's"],
    ['tab&#x9;here', 'tab\there'], ['tab&#9;here', 'tab\there'], ['cr&#13;lf&#10;', 'cr\rlf\n'],
    ['&#128512;&#x1F600;', '😀😀'], ['&#xE9;&#x65;&#x301;', 'é' + 'e\u0301'],
    ['&amp;#39;', '&#39;'], ['&amp;amp;', '&amp;'], ['; # % + ?', '; # % + ?'],
  ];
  for (const [text, want] of table) t.equal(decodeXmlText(text), want, JSON.stringify(text));
  for (const bad of ['a & b', '&nbsp;', '&copy;', '&#0;', '&#x1;', '&#xD800;', '&#xFFFE;', '&#x110000;', '&#;', '&#xZZ;', '&#99999999999;', '&amp']) {
    t.throws(() => decodeXmlText(bad), { name: 'XmlTextError' }, `${JSON.stringify(bad)} is malformed`);
  }
});

t.test('a literal CR LF in a document is a LF (XML line-end normalisation), a reference is kept', async (t) => {
  t.same(parseXml('<D><K>a\r\nb&#13;&#10;c</K></D>'), { D: { K: 'a\nb\r\nc' } });
});

t.test('CDATA is literal', async (t) => {
  t.same(parseXml('<D><K><![CDATA[a&amp;b<c>]]></K></D>'), { D: { K: 'a&amp;b<c>' } });
});

t.test('DeleteObjects bodies as other languages escape them name the real keys', async (t) => {
  // Go's encoding/xml: &#39; &#34; &#x9; &#xA; &#xD;; botocore and the JS SDK: named entities, &#xD; for CR.
  const body = '<Delete><Quiet>false</Quiet>' +
    ['it&#39;s', 'say &#34;hi&#34;', 'tab&#x9;x', 'lf&#xA;x', 'cr&#xD;x', 'a&amp;b&lt;c&gt;', '&#x1F600;'].map((k) => `<Object><Key>${k}</Key></Object>`).join('') +
    '</Delete>';
  t.same(parseDeleteRequest(body).keys, ["it's", 'say "hi"', 'tab\tx', 'lf\nx', 'cr\rx', 'a&b<c>', '😀']);
  t.throws(() => parseDeleteRequest('<Delete><Object><Key>a &nbsp; b</Key></Object></Delete>'), { code: 'MalformedXML' });
  t.throws(() => parseDeleteRequest('<Delete><Object><Key>a & b</Key></Object></Delete>'), { code: 'MalformedXML' });
  const result = parseDeleteResult('<DeleteResult><Deleted><Key>it&#x27;s</Key></Deleted><Error><Key>x&#x9;</Key><Code>AccessDenied</Code></Error></DeleteResult>');
  t.same([...result.deleted], ["it's"]);
  t.same([...result.errors], [['x\t', 'AccessDenied']]);
});

t.test('listings: URL-encoded keys are decoded, XML-escaped ones too', async (t) => {
  const encoded = parseListPage('<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>' +
    '<Contents><Key>a+b%2Bc%0D%01%F0%9F%98%80%27</Key><Size>1</Size><ETag>"e"</ETag></Contents></ListBucketResult>');
  t.same(encoded.objects.map((o) => o.key), ["a b+c\r\u0001😀'"]);
  const escaped = parseListPage('<ListBucketResult><IsTruncated>false</IsTruncated>' +
    '<Contents><Key>it&#x27;s a+b</Key><Size>1</Size><ETag>"e"</ETag></Contents></ListBucketResult>');
  t.same(escaped.objects.map((o) => o.key), ["it's a+b"], 'no EncodingType: the key is as the XML says, + and all');
});

t.test("a region's literal CR is a CR (s3rver does not escape it); a client's is normalised as S3 does", async (t) => {
  const answer = '<DeleteResult><Deleted><Key>cr\rhere</Key></Deleted><Deleted><Key>crlf\r\nhere</Key></Deleted></DeleteResult>';
  t.same([...parseDeleteResult(answer).deleted], ['cr\rhere', 'crlf\r\nhere']);
  t.same(parseDeleteRequest('<Delete><Object><Key>cr\rhere</Key></Object></Delete>').keys, ['cr\nhere']);
  const page = parseListPage('<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a\rb</Key><Size>1</Size><ETag>"e"</ETag></Contents></ListBucketResult>');
  t.same(page.objects.map((o) => o.key), ['a\rb']);
});
