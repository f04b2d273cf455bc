// The READMEs are front doors and docs/reference/ holds the generated tables: every relative link
// in them must reach a file (and a heading, when it names one), and each README stays short enough
// to read (at most 1,500 words, all of them together at most 7,000; words counted as `wc -w` does,
// generated tables included, since those live in docs/reference/).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';

const root = join(contractsDir, '..');
const tracked = execFileSync('git', ['ls-files', '-z', '*.md'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((path) => path !== '');
const readmes = tracked.filter((path) => /(^|\/)README\.md$/.test(path));
const referencePages = tracked.filter((path) => path.startsWith('docs/reference/'));

const words = (text: string) => text.split(/\s+/).filter((word) => word !== '').length;

/** Markdown without its fenced code blocks and inline code spans, where `[a](b)` is not a link. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

/** The relative link targets of a Markdown file: `[text](target)`, without web or mail links. */
export function relativeLinks(text: string): string[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const anchors = (text: string) =>
  new Set([...prose(text).matchAll(/^#{1,6} (.+)$/gm)].map((match) => headingAnchor(match[1]!)));

function brokenLinks(path: string): string[] {
  const text = readFileSync(join(root, path), 'utf8');
  const broken: string[] = [];
  for (const link of relativeLinks(text)) {
    const [file = '', anchor] = link.split('#');
    const target = file === '' ? join(root, path) : join(root, dirname(path), decodeURIComponent(file));
    if (!existsSync(target)) broken.push(`${link} (no such file)`);
    else if (anchor !== undefined && target.endsWith('.md') && statSync(target).isFile()) {
      if (!anchors(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${link} (no such heading)`);
    }
  }
  return broken;
}

describe('the docs', () => {
  it('are the READMEs and reference pages it knows of', () => {
    expect(readmes).toEqual(
      expect.arrayContaining(['README.md', 'apps/receiver/README.md', 'bench/README.md']),
    );
    expect(referencePages).toEqual(
      expect.arrayContaining(['docs/reference/receiver-settings.md', 'docs/reference/receiver-routes.md']),
    );
  });

  it.each([...readmes, ...referencePages])('%s links only to files and headings that exist', (path) => {
    expect(brokenLinks(path)).toEqual([]);
  });

  it.each(readmes)('%s is at most 1,500 words', (path) => {
    expect(words(readFileSync(join(root, path), 'utf8'))).toBeLessThanOrEqual(1500);
  });

  it('holds at most 7,000 words of README in all', () => {
    const total = readmes.reduce((sum, path) => sum + words(readFileSync(join(root, path), 'utf8')), 0);
    expect(total).toBeLessThanOrEqual(7000);
  });
});

describe('the link checker', () => {
  it('finds relative links outside code, and not web links', () => {
    const text = '[a](b.md) [c](https://x.io) `[d](e.md)`\n```\n[f](g.md)\n```\n[h](#i)';
    expect(relativeLinks(text)).toEqual(['b.md', '#i']);
  });

  it("writes a heading's anchor as GitHub does", () => {
    expect(headingAnchor('Deployment: several instances on one PostgreSQL')).toBe(
      'deployment-several-instances-on-one-postgresql',
    );
    expect(headingAnchor('`POST /webhooks`')).toBe('post-webhooks');
  });
});
