// SDK keys as mirrored in Redis by the primaries, held in memory so that a relay (which has no database)
// authenticates a stream with a hash and a map lookup, and keeps doing so while Redis is away.
import { createHash } from 'node:crypto';
import type { StreamKey } from './sdk-stream.js';
import type { MirroredKey, RedisLog } from './redis-log.js';

/** The mirror is keyed like the store: SHA-256 of the key, in hex. Keys are random, so no slow hash is needed. */
export const keyHash = (rawKey: string) => createHash('sha256').update(rawKey, 'utf8').digest('hex');

export type DirectoryAnswer = StreamKey | 'revoked' | 'unavailable' | null;

export class KeyDirectory {
  #keys = new Map<string, MirroredKey>();

  constructor(private readonly log: RedisLog) {}

  /**
   * Replaces what is held with the whole mirror (start-up, and after every reconnect), read through `from`:
   * the connection that just came back, since the directory's own may not be ready yet.
   */
  async load(from: RedisLog = this.log): Promise<void> {
    this.#keys = await from.keys();
  }

  /** Applies one key update from the change stream. A revocation is final: nothing un-revokes a key. */
  update(hash: string, key: MirroredKey): void {
    if (this.#keys.get(hash)?.revoked) return;
    this.#keys.set(hash, key);
  }

  /** What is held for a key, without asking Redis. */
  held(rawKey: string): MirroredKey | undefined {
    return this.#keys.get(keyHash(rawKey));
  }

  /**
   * Resolves a key; one not held yet (created a moment ago on a primary) is looked up in Redis once.
   * 'unavailable' when that lookup cannot be made: the caller answers 503, not 401, so the SDK retries.
   */
  async lookup(rawKey: string): Promise<DirectoryAnswer> {
    const hash = keyHash(rawKey);
    let key = this.#keys.get(hash);
    if (key === undefined) {
      try {
        key = (await this.log.key(hash)) ?? undefined;
      } catch {
        return 'unavailable';
      }
      if (key === undefined) return null;
      this.update(hash, key);
    }
    if (key.revoked) return 'revoked';
    return { keyId: key.keyId, env: key.env, audience: key.audience };
  }
}
