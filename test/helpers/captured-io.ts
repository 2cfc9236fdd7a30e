import type { CliIo } from '../../cli/io.js';

/** A CliIo that records what a command printed and answers prompts from a script. */
function capturedIo(
  answers: string[] = [],
  interactive = false,
): CliIo & { stdout: () => string; stderr: () => string; questions: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  return {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    isInteractive: interactive,
    ask: (question) => {
      questions.push(question);
      return Promise.resolve(answers.shift() ?? '');
    },
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
    questions,
  };
}

export { capturedIo };
