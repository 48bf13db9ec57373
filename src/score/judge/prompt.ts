import type { ChatMessage } from '../../providers/types.ts';
import { exampleBlock } from '../prompt.ts';

/** AlpaGasus' judge system prompt (Chen et al. 2023, after Vicuna's GPT-4 review prompt). */
export const JUDGE_SYSTEM = 'You are a helpful and precise assistant for checking the quality of the answer.';

/**
 * AlpaGasus' rating prompt, with the score asked for as a `Score: x` line: the judge rates the
 * accuracy and helpfulness of the response to the instruction on 0–5, then explains.
 */
export function judgeMessages(instruction: string, response: string): ChatMessage[] {
  const user = [
    'We would like to request your feedback on the performance of an AI assistant in response to the instruction displayed below.',
    '',
    ...exampleBlock(instruction, response),
    '### Your task:',
    'Please rate the accuracy and helpfulness of the response to the instruction. The assistant receives a score on a scale of 0 to 5, where a higher score indicates a more accurate and helpful response.',
    'Output a first line of the form "Score: x", with x the score. In the subsequent lines, please provide a brief explanation of your evaluation, avoiding any potential bias.',
  ].join('\n');
  return [
    { role: 'system', content: JUDGE_SYSTEM },
    { role: 'user', content: user },
  ];
}
