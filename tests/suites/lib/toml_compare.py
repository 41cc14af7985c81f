#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run toml-test cases through a decoder and compare (used by toml-corpus.sh).

usage: toml_compare.py CORPUS_DIR LIST_FILE DECODER [DECODER...]

For every case in LIST_FILE (paths relative to CORPUS_DIR, toml-test's
files-toml-X list) prints "PASS case" or "FAIL case: why".  A case passes
only if it passes with every DECODER (e.g. the normal and the ASan build).

valid/X.toml:   the decoder must exit 0 and print JSON equal to X.json in
                toml-test's sense: key order is irrelevant, integers and
                floats compare by value (nan equals nan), date-times by the
                instant (offset) or fields (local) they denote.
invalid/X.toml: the decoder must exit 1 (not crash, not time out) and name a
                position "LINE:COL:" (both >= 1) on stderr.
Exit status: 0 when every case passed, 1 otherwise.
"""
import json
import math
import os
import re
import subprocess
import sys

TIMEOUT = 10

DT_RE = re.compile(
    r'^(?:(\d{4})-(\d{2})-(\d{2}))?(?:[Tt ]?(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?'
    r'(?:([Zz])|([+-])(\d{2}):(\d{2}))?$')


def dt_key(kind, s):
    """A comparable value for a toml-test date/time string."""
    m = DT_RE.match(s)
    if not m:
        raise ValueError('bad %s %r' % (kind, s))
    y, mo, d, h, mi, sec, frac, z, sign, oh, om = m.groups()
    ns = int((frac or '0')[:9].ljust(9, '0'))
    if kind == 'date-local':
        return (int(y), int(mo), int(d))
    if kind == 'time-local':
        return (int(h), int(mi), int(sec), ns)
    if kind == 'datetime-local':
        return (int(y), int(mo), int(d), int(h), int(mi), int(sec), ns)
    # offset date-time: compare the instant
    import datetime
    base = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), 0)
    off = 0
    if not z:
        off = (int(oh) * 60 + int(om)) * (-1 if sign == '-' else 1)
    secs = (base - datetime.datetime(1970, 1, 1)).total_seconds()
    return (int(secs) + int(sec) - off * 60, ns)


def scalar_eq(kind, a, b):
    if kind == 'integer':
        return int(a) == int(b)
    if kind == 'float':
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        return fa == fb
    if kind in ('datetime', 'datetime-local', 'date-local', 'time-local'):
        return dt_key(kind, a) == dt_key(kind, b)
    return a == b


def is_tagged(v):
    return (isinstance(v, dict) and set(v) == {'type', 'value'} and
            isinstance(v['type'], str) and isinstance(v['value'], str))


def diff(exp, got, path='$'):
    """None when equal, else a description of the first difference."""
    if is_tagged(exp):
        if not is_tagged(got):
            return '%s: expected %s, got %s' % (path, exp['type'], json.dumps(got)[:60])
        if exp['type'] != got['type']:
            return '%s: expected type %s, got %s' % (path, exp['type'], got['type'])
        try:
            ok = scalar_eq(exp['type'], exp['value'], got['value'])
        except ValueError as e:
            return '%s: %s' % (path, e)
        if not ok:
            return '%s: expected %s %r, got %r' % (path, exp['type'], exp['value'],
                                                  got['value'])
        return None
    if isinstance(exp, dict):
        if not isinstance(got, dict) or is_tagged(got):
            return '%s: expected a table' % path
        if set(exp) != set(got):
            return '%s: keys differ: missing %s, extra %s' % (
                path, sorted(set(exp) - set(got)), sorted(set(got) - set(exp)))
        for k in exp:
            d = diff(exp[k], got[k], '%s.%s' % (path, k))
            if d:
                return d
        return None
    if isinstance(exp, list):
        if not isinstance(got, list) or len(exp) != len(got):
            return '%s: expected an array of %d' % (path, len(exp))
        for i, (e, g) in enumerate(zip(exp, got)):
            d = diff(e, g, '%s[%d]' % (path, i))
            if d:
                return d
        return None
    return '%s: unexpected JSON %r in expected file' % (path, exp)


POS_RE = re.compile(rb':([0-9]+):([0-9]+): ')


def run_case(decoder, corpus, case):
    """None when the case passes with @decoder, else why not."""
    with open(os.path.join(corpus, case), 'rb') as f:
        data = f.read()
    try:
        r = subprocess.run([decoder, 'toml-decode'], input=data,
                           capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return 'timed out'
    err = r.stderr.decode('utf-8', 'replace').strip().splitlines()
    first = err[0] if err else ''
    if case.startswith('invalid/'):
        if r.returncode == 0:
            return 'accepted invalid input'
        if r.returncode != 1:
            return 'exit %d (crash?): %s' % (r.returncode, first)
        m = POS_RE.search(r.stderr)
        if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
            return 'no line:column in error: %s' % first
        return None
    if r.returncode != 0:
        return 'rejected (exit %d): %s' % (r.returncode, first)
    try:
        got = json.loads(r.stdout)
    except ValueError as e:
        return 'decoder printed bad JSON: %s' % e
    with open(os.path.join(corpus, case[:-5] + '.json'), 'rb') as f:
        exp = json.load(f)
    return diff(exp, got)


def self_test():
    """The comparison itself must be able to fail: check it on known pairs."""
    t = lambda ty, v: {'type': ty, 'value': v}
    same = [
        (t('integer', '1'), t('integer', '+1')),
        (t('float', 'nan'), t('float', '-nan')),
        (t('float', '1e3'), t('float', '1000.0')),
        (t('datetime', '1987-07-05T17:45:00Z'), t('datetime', '1987-07-05t19:45:00+02:00')),
        (t('time-local', '10:32:00.555'), t('time-local', '10:32:00.555000')),
        ({'a': [t('bool', 'true')], 'b': {}}, {'b': {}, 'a': [t('bool', 'true')]}),
    ]
    differ = [
        (t('integer', '1'), t('integer', '2')),
        (t('integer', '1'), t('float', '1')),
        (t('float', 'nan'), t('float', 'inf')),
        (t('string', 'a'), t('string', 'a ')),
        (t('datetime', '1987-07-05T17:45:00Z'), t('datetime', '1987-07-05T17:45:00+01:00')),
        (t('datetime-local', '1987-07-05T17:45:00'), t('datetime-local', '1987-07-05T17:45:01')),
        ({'a': {}}, {'a': {}, 'b': {}}),
        ([t('bool', 'true')], []),
        ({'a': {}}, {'a': []}),
    ]
    for a, b in same:
        if diff(a, b):
            return 'reported a difference for equal %r / %r' % (a, b)
    for a, b in differ:
        if not diff(a, b):
            return 'missed the difference %r / %r' % (a, b)
    return None


def main():
    why = self_test()
    print('%s comparator-self-test%s' % ('FAIL' if why else 'PASS',
                                         ': ' + why if why else ''))
    if why:
        return 1
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    corpus, listfile, decoders = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(listfile) as f:
        cases = [l.strip() for l in f if l.strip().endswith('.toml')]
    if not cases:
        print('FAIL corpus: no cases listed in %s' % listfile)
        return 1
    nfail = 0
    for case in cases:
        why = None
        for dec in decoders:
            why = run_case(dec, corpus, case)
            if why:
                why = '%s [%s]' % (why, os.path.basename(os.path.dirname(dec)))
                break
        name = case[:-5]
        if why:
            nfail += 1
            print('FAIL %s: %s' % (name, why))
        else:
            print('PASS %s' % name)
    sys.stdout.flush()
    sys.stderr.write('%d cases, %d failed\n' % (len(cases), nfail))
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main())
