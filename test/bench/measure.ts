import { execa } from 'execa';

export interface Measurement {
  name: string;
  subjectLabel: string;
  floorLabel: string;
  subjectMs: number;
  floorMs: number;
  ratio: number;
}

/** How a measured baton process starts: its name in the report and its whole environment. */
export interface Start {
  name: string;
  env: Record<string, string>;
}

/** The work git must do for the same result: commands run one after another, each with its own input. */
export interface Floor {
  label: string;
  commands: { command: string[]; input?: string }[];
  cwd: string;
}

interface Spec {
  name: string;
  runs: number;
  subject: {
    label: string;
    command: string[];
    cwd: string;
    /** The whole environment of the run (nothing else is passed), when given. */
    env?: Record<string, string>;
    expectExit: number[];
    check: (stdout: string) => boolean;
  };
  floor: Floor;
}

/** Runs a floor's commands, one after another. */
export async function floorRun(floor: Floor): Promise<void> {
  for (const { command: [command, ...rest], input } of floor.commands) {
    await execa(command as string, rest, { cwd: floor.cwd, ...(input === undefined ? {} : { input }) });
  }
}

export async function time(run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Times a command against the floor of the work it cannot avoid, alternating the two within one run
 * so that a noisy machine slows both alike; reports medians and their ratio.
 */
export async function measure(spec: Spec): Promise<Measurement> {
  const [file, ...args] = spec.subject.command as [string, ...string[]];
  // Each run's output is checked after its time is taken: parsing a megabyte of board JSON is the
  // benchmark's work, not the command's.
  const environment = spec.subject.env === undefined ? {} : { env: spec.subject.env, extendEnv: false };
  const runSubject = async () => execa(file, args, { cwd: spec.subject.cwd, reject: false, ...environment });
  const checkSubject = (result: Awaited<ReturnType<typeof runSubject>>) => {
    if (!spec.subject.expectExit.includes(result.exitCode ?? -1) || !spec.subject.check(result.stdout)) {
      throw new Error(`${spec.subject.label} did not produce the expected result (exit ${result.exitCode}): ${result.stderr || result.stdout.slice(0, 500)}`);
    }
  };
  const runFloor = async () => floorRun(spec.floor);
  checkSubject(await runSubject()); // warm the file cache for both
  await runFloor();
  const subject: number[] = [];
  const floor: number[] = [];
  for (let index = 0; index < spec.runs; index += 1) {
    let result: Awaited<ReturnType<typeof runSubject>> | undefined;
    subject.push(await time(async () => void (result = await runSubject())));
    if (result) checkSubject(result);
    floor.push(await time(runFloor));
  }
  const subjectMs = median(subject);
  const floorMs = median(floor);
  return { name: spec.name, subjectLabel: spec.subject.label, floorLabel: spec.floor.label, subjectMs, floorMs, ratio: subjectMs / floorMs };
}

export function formatMeasurement(m: Measurement, target: number): string {
  return [
    m.name,
    `  ${m.subjectLabel.padEnd(60)} ${m.subjectMs.toFixed(0).padStart(6)} ms (median)`,
    `  ${m.floorLabel.padEnd(60)} ${m.floorMs.toFixed(0).padStart(6)} ms (median)`,
    `  ratio ${m.ratio.toFixed(2)}x (target: at most ${target}x) ${m.ratio <= target ? 'within target' : 'OVER TARGET'}`,
  ].join('\n');
}
