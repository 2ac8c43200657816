// semverEq, semverLt, semverGt: precedence as semver.org §11 defines it (numeric parts compare as numbers,
// a prerelease precedes its release, build metadata is ignored). A string that is not MAJOR.MINOR.PATCH
// (with optional -prerelease and +build) never matches.
import { clause, clauseFlag, vectorFile } from './dsl.mjs';

export default vectorFile('operators-semver', 'The semantic-version operators semverEq, semverLt and semverGt.')
  .flags(
    clauseFlag('semver-eq-2', clause('appVersion', 'semverEq', ['2.0.0'])),
    clauseFlag('semver-lt-2', clause('appVersion', 'semverLt', ['2.0.0'])),
    clauseFlag('semver-gt-1-2-3', clause('appVersion', 'semverGt', ['1.2.3'])),
    clauseFlag('semver-lt-rc1', clause('appVersion', 'semverLt', ['1.0.0-rc.1'])),
    clauseFlag('semver-gt-beta2', clause('appVersion', 'semverGt', ['1.0.0-beta.2'])),
  )
  .matchTable('semver-eq-2', [
    ['semverEq: the same version matches', { key: 'u1', appVersion: '2.0.0' }, true],
    ['semverEq: build metadata is ignored', { key: 'u1', appVersion: '2.0.0+build.5' }, true],
    ['semverEq: a prerelease is another version', { key: 'u1', appVersion: '2.0.0-rc.1' }, false],
    ['semverEq: two parts are not a semantic version', { key: 'u1', appVersion: '2.0' }, false],
    ['semverEq: a "v" prefix is not a semantic version', { key: 'u1', appVersion: 'v2.0.0' }, false],
    ['semverEq: leading zeros are not a semantic version', { key: 'u1', appVersion: '02.0.0' }, false],
    ['semverEq: a number is not a version', { key: 'u1', appVersion: 2 }, false],
  ])
  .matchTable('semver-lt-2', [
    ['semverLt: an older version matches', { key: 'u1', appVersion: '1.9.9' }, true],
    ['semverLt: minor versions compare as numbers (1.10.0 < 2.0.0)', { key: 'u1', appVersion: '1.10.0' }, true],
    ['semverLt: a prerelease precedes its release', { key: 'u1', appVersion: '2.0.0-rc.1' }, true],
    ['semverLt: the same version does not', { key: 'u1', appVersion: '2.0.0' }, false],
    ['semverLt: major versions compare as numbers (10.0.0 > 2.0.0)', { key: 'u1', appVersion: '10.0.0' }, false],
  ])
  .matchTable('semver-gt-1-2-3', [
    ['semverGt: patch versions compare as numbers (1.2.10 > 1.2.3)', { key: 'u1', appVersion: '1.2.10' }, true],
    ['semverGt: a prerelease of the version does not follow it', { key: 'u1', appVersion: '1.2.3-alpha' }, false],
    ['semverGt: a prerelease of a later version follows it', { key: 'u1', appVersion: '1.3.0-alpha' }, true],
    ['semverGt: build metadata does not make it later', { key: 'u1', appVersion: '1.2.3+5' }, false],
    ['semverGt: an array matches when any element is later', { key: 'u1', appVersion: ['1.0.0', '1.2.4'] }, true],
  ])
  .matchTable('semver-lt-rc1', [
    ['semverLt: beta precedes rc (alphanumeric identifiers in ASCII order)', { key: 'u1', appVersion: '1.0.0-beta.11' }, true],
    ['semverLt: rc.0 precedes rc.1', { key: 'u1', appVersion: '1.0.0-rc.0' }, true],
    ['semverLt: a longer prerelease with equal identifiers follows (rc.1.1 > rc.1)', { key: 'u1', appVersion: '1.0.0-rc.1.1' }, false],
    ['semverLt: the release follows all its prereleases', { key: 'u1', appVersion: '1.0.0' }, false],
  ])
  .matchTable('semver-gt-beta2', [
    ['semverGt: numeric identifiers compare as numbers (beta.11 > beta.2)', { key: 'u1', appVersion: '1.0.0-beta.11' }, true],
    ['semverGt: fewer identifiers precede more (beta < beta.2)', { key: 'u1', appVersion: '1.0.0-beta' }, false],
    [
      'semverGt: numeric identifiers precede alphanumeric ones (alpha.1 < alpha.beta < beta.2)',
      { key: 'u1', appVersion: '1.0.0-alpha.beta' },
      false,
    ],
  ])
  .build();
