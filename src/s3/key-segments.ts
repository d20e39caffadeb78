/**
 * Pure: how a key's `.` and `..` path segments read to a backend that normalises paths (s3rver joins them as file
 * paths; S3 itself keeps them as literal key bytes). `climbs`: normalised, the key leaves its bucket and names an
 * object in another one. Empty segments (`a//b`) collapse when normalised, so they count for nothing.
 */
export function dotSegments(key: string): 'none' | 'inside' | 'climbs' {
  let depth = 0;
  let found = false;
  for (const segment of key.split('/')) {
    if (segment === '.' || segment === '..') {
      found = true;
      if (segment === '..' && --depth < 0) return 'climbs';
    } else if (segment !== '') {
      depth++;
    }
  }
  return found ? 'inside' : 'none';
}
