// Minimal runners for the CI files rdp ships, so that tests run them as GitHub and GitLab would, on
// this machine and against the emulator: action.yml's composite steps with the GITHUB_OUTPUT /
// GITHUB_ENV / GITHUB_PATH file protocol, and a .gitlab-ci.yml job's before_script + script with its
// variables and its dotenv report. What they do not understand (expressions beyond property look-ups,
// `uses:` or `if:` steps, shells other than bash) is an error, so a CI file cannot drift into something
// these tests silently skip.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';

type Env = Record<string, string | undefined>;

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a bash script file the way both runners do (-e -o pipefail), without blocking the event loop. */
function bash(script: string, opts: { cwd: string; env: Env; timeoutMs: number }): Promise<ShellResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks (GITHUB_OUTPUT, GITHUB_ENV). */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] ?? '');
      if (i >= lines.length) throw new Error(`unterminated ${name}<<${delim} block`);
      out[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not a command-file line: ${JSON.stringify(line)}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

// ---- GitHub: a composite action ----------------------------------------------------------------

interface ActionYml {
  inputs?: Record<string, { default?: string; required?: boolean }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; name?: string; shell?: string; run?: string; uses?: string; if?: string; env?: Record<string, string>; 'working-directory'?: string }[] };
}

export function readAction(actionDir: string): ActionYml {
  return parse(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as ActionYml;
}

export interface ActionRun {
  /** The exit code of the last step that ran (0 when all succeeded). */
  code: number | null;
  outputs: Record<string, string>;
  steps: Record<string, Record<string, string>>;
  /** Everything the steps printed, stdout and stderr. */
  log: string;
  /** `::error …` workflow commands the steps printed. */
  errors: string[];
  /** The directories steps added with GITHUB_PATH (first = searched first). */
  pathAdded: string[];
}

export interface ActionOptions {
  /** The directory holding action.yml (GITHUB_ACTION_PATH). */
  actionDir: string;
  inputs: Record<string, string>;
  /** The environment of the calling workflow step (its `env:`, e.g. RDP_ZENODO_TOKEN), over a base. */
  env: Env;
  /** GITHUB_WORKSPACE, the steps' working directory. */
  workspace: string;
  timeoutMs?: number;
}

/** Evaluate `${{ a.b.c }}` property look-ups; anything else is not supported here. */
function expand(text: string, ctx: Record<string, unknown>): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$/.test(expr)) throw new Error(`expression not supported by the test runner: ${expr}`);
    let v: unknown = ctx;
    for (const part of expr.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    if (v !== undefined && typeof v !== 'string') throw new Error(`${expr} is not a string`);
    return v ?? '';
  });
}

export async function runCompositeAction(opts: ActionOptions): Promise<ActionRun> {
  const action = readAction(opts.actionDir);
  if (action.runs.using !== 'composite') throw new Error(`runs.using is ${action.runs.using}, not composite`);
  const declared = action.inputs ?? {};
  for (const name of Object.keys(opts.inputs)) if (!(name in declared)) throw new Error(`action.yml has no input ${name}`);
  const inputs: Record<string, string> = {};
  for (const [name, def] of Object.entries(declared)) inputs[name] = opts.inputs[name] ?? def.default ?? '';

  const temp = mkdtempSync(join(tmpdir(), 'rdp-gha-'));
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  const ctx = { inputs, steps, github: { action_path: opts.actionDir, workspace: opts.workspace }, runner: { temp } };
  const added: Record<string, string> = {};
  const pathAdded: string[] = [];
  let log = '';
  let code: number | null = 0;
  try {
    for (const [index, step] of action.runs.steps.entries()) {
      if (step.uses || step.if || step.run === undefined) throw new Error(`step ${index} is not a plain run step (uses/if are not supported by the test runner)`);
      if (step.shell !== 'bash') throw new Error(`step ${index} has shell ${step.shell}; composite steps need shell: bash`);
      const files = { GITHUB_OUTPUT: join(temp, `output-${index}`), GITHUB_ENV: join(temp, `env-${index}`), GITHUB_PATH: join(temp, `path-${index}`), GITHUB_STEP_SUMMARY: join(temp, `summary-${index}`) };
      for (const f of Object.values(files)) writeFileSync(f, '');
      const script = join(temp, `step-${index}.sh`);
      writeFileSync(script, expand(step.run, ctx));
      const stepEnv: Env = {};
      for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = expand(String(v), ctx);
      const env: Env = {
        ...opts.env,
        ...added,
        PATH: [...pathAdded, opts.env.PATH ?? process.env.PATH ?? ''].join(delimiter),
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTION_PATH: opts.actionDir,
        GITHUB_WORKSPACE: opts.workspace,
        RUNNER_TEMP: temp,
        ...files,
        ...stepEnv,
      };
      const r = await bash(script, { cwd: opts.workspace, env, timeoutMs: opts.timeoutMs ?? 120_000 });
      log += `--- step ${step.id ?? index} (${step.name ?? ''})\n${r.stdout}${r.stderr}`;
      code = r.code;
      steps[step.id ?? `step${index}`] = { outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')) };
      Object.assign(added, parseCommandFile(readFileSync(files.GITHUB_ENV, 'utf8')));
      for (const dir of readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean).reverse()) pathAdded.unshift(dir);
      if (code !== 0) break;
    }
    const outputs: Record<string, string> = {};
    for (const [name, def] of Object.entries(action.outputs ?? {})) outputs[name] = expand(def.value, ctx);
    const errors = log.split('\n').filter((l) => l.startsWith('::error'));
    return { code, outputs, steps: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, v.outputs])), log, errors, pathAdded };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

// ---- GitLab: one job of a .gitlab-ci.yml -------------------------------------------------------

interface GitLabJob {
  variables?: Record<string, string | { value: string }>;
  before_script?: string[];
  script: string[];
  artifacts?: { reports?: { dotenv?: string | string[] }; paths?: string[] };
  rules?: { if?: string }[];
  image?: string;
}

export function readGitLabJob(file: string, job: string): GitLabJob {
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const j = doc[job] as GitLabJob | undefined;
  if (!j || !Array.isArray(j.script)) throw new Error(`${file} has no job ${job} with a script`);
  return j;
}

export interface GitLabRun extends ShellResult {
  /** The job's dotenv report (artifacts:reports:dotenv), parsed. */
  dotenv: Record<string, string>;
}

export interface GitLabOptions {
  file: string;
  job: string;
  /** CI_PROJECT_DIR: the clone the job runs in. */
  projectDir: string;
  /** Predefined variables (CI_COMMIT_TAG, …) and the project's CI/CD variables (tokens); they win over the file's. */
  variables: Record<string, string>;
  /** The machine's environment under all of it (PATH, HOME). */
  env: Env;
  /** Run before_script too (it installs rdp). */
  beforeScript: boolean;
  timeoutMs?: number;
}

export async function runGitLabJob(opts: GitLabOptions): Promise<GitLabRun> {
  const doc = parse(readFileSync(opts.file, 'utf8')) as Record<string, unknown>;
  const job = readGitLabJob(opts.file, opts.job);
  const fileVars: Record<string, string> = {};
  for (const source of [doc.variables, job.variables] as (GitLabJob['variables'] | undefined)[]) {
    for (const [k, v] of Object.entries(source ?? {})) fileVars[k] = typeof v === 'string' ? v : String(v.value);
  }
  const vars: Record<string, string> = { CI: 'true', GITLAB_CI: 'true', CI_PROJECT_DIR: opts.projectDir, ...fileVars, ...opts.variables };
  // GitLab expands $VAR and ${VAR} in variable values.
  for (const [k, v] of Object.entries(vars)) vars[k] = v.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, a?: string, b?: string) => vars[(a ?? b) as string] ?? opts.env[(a ?? b) as string] ?? '');
  const lines = [...(opts.beforeScript ? (job.before_script ?? []) : []), ...job.script];
  const temp = mkdtempSync(join(tmpdir(), 'rdp-gitlab-'));
  try {
    const script = join(temp, 'job.sh');
    // As the runner does: each line echoed, then run; the first failing line ends the job.
    const quote = (t: string) => `'${t.replace(/'/g, `'\\''`)}'`;
    writeFileSync(script, lines.map((l) => `printf '%s\\n' ${quote(`$ ${l}`)}\n${l}\n`).join(''));
    const r = await bash(script, { cwd: opts.projectDir, env: { ...opts.env, ...vars }, timeoutMs: opts.timeoutMs ?? 120_000 });
    const dotenvFiles = job.artifacts?.reports?.dotenv;
    const dotenv: Record<string, string> = {};
    if (r.code === 0) {
      for (const f of [dotenvFiles ?? []].flat()) Object.assign(dotenv, parseCommandFile(readFileSync(join(opts.projectDir, f), 'utf8')));
    }
    return { ...r, dotenv };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
