import { type ClaimPattern, ID } from './claims.ts';

/**
 * Chinese self-claims: 我是/我叫/我的名字是 + a name ("我是ChatGPT", "我叫通义千问"), 由…开发 ("我是由百度开发的
 * 文心一言", "本模型由百度训练"), 作为…开发的 ("作为一个由OpenAI开发的人工智能语言模型"), …开发了我, 我的开发者是….
 * A name followed by 的 + a role ("我是ChatGPT的忠实用户") is not a claim; nor is "我们" (we) or a third-person
 * sentence ("ChatGPT是OpenAI开发的").
 */
const MADE = '(?:开发|研发|训练|打造|创建|创造|推出|设计|制作|构建|发布|训练出)';
const NOT_ROLE = '(?![^，。,.！!？?]{0,6}的(?:员工|用户|粉丝|工程师|产品经理|忠实|客户|同事|研究员))';

const zh = (source: string): ClaimPattern => ({ re: new RegExp(source, 'gi'), known: true });

export const ZH_CLAIMS: readonly ClaimPattern[] = [
  zh(
    `我(?:是|叫|就是|乃是|的名字是|的名字叫|名叫|名字叫)\\s*(?:一个|一款|一种|一名)?\\s*(?:名为|叫做?)?\\s*${ID}${NOT_ROLE}(?!的)`,
  ),
  zh(
    `(?:我|本模型|该模型|本助手)(?:是|乃)?\\s*(?:一个|一款|一种|一名)?\\s*(?:由|被)\\s*${ID}[^，。,.]{0,14}?${MADE}`,
  ),
  zh(`我是\\s*${ID}[^，。,.]{0,12}?${MADE}的`),
  zh(`作为(?:一个|一款|一名|一种)?\\s*(?:由)?\\s*${ID}[^，。,.]{0,12}?${MADE}的`),
  zh(`${ID}[^，。,.我]{0,6}?${MADE}了我`),
  // "作为ChatGPT，我…"
  zh(String.raw`(?:^|[。！？!?\n])\s*作为\s*${ID}\s*[，,]`),
  zh(`我的(?:开发者|创造者|开发团队|训练者|制造者|研发团队|创建者|开发公司)(?:是|为|来自)\\s*${ID}`),
];

/** Unknown names: "我是星辰，一个由…开发的人工智能助手". */
export const ZH_OTHER_CLAIMS: readonly ClaimPattern[] = [
  {
    re: /我(?:是|叫)\s*(?!一个|一款|一名|一种|由|你的|您的|个)([\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9 ]{0,15}?)[，,]\s*(?:一个|一款|一名)?(?:由[^，。]{1,20}?(?:开发|训练|研发|打造)的)?(?:人工智能|AI|智能)(?:语言模型|助手|大模型|模型)/g,
    known: false,
  },
  {
    re: /我(?:是)?由\s*([\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9 ]{0,20}?)\s*(?:开发|训练|研发|打造|创建)/g,
    known: false,
    needsContext: true,
  },
];

export const ZH_BOILERPLATE =
  /作为(?:一个|一款|一名|一种)?\s*(?:人工智能|AI|ai)(?:语言)?(?:模型|助手|程序|系统|机器人)|我(?:只)?(?:是|只是)(?:一个|一款|一名|一种)?\s*(?:人工智能|AI|ai)(?:语言模型|助手|程序|模型|系统)|我是一个(?:大型)?语言模型/;
