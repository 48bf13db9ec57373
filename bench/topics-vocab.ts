/**
 * Word lists for bench/gen-topics.ts: per-topic vocabularies (nouns, verbs in the base form, named
 * things, adjectives), written by hand so that the topics read like real subjects, and the words
 * every topic shares. A few words belong to two topics on purpose (cell, pitch, board, scale, yeast,
 * engine, wave, 电池, 温度 …), as real topics overlap.
 */

export interface TopicVocab {
  name: string;
  nouns: string[];
  verbs: string[];
  named: string[];
  adjectives: string[];
}

const split = (s: string) => s.split('|');

function topic(name: string, nouns: string, verbs: string, named: string, adjectives: string): TopicVocab {
  return {
    name,
    nouns: split(nouns),
    verbs: split(verbs),
    named: split(named),
    adjectives: split(adjectives),
  };
}

export const EN_TOPICS: readonly TopicVocab[] = [
  topic(
    'astronomy',
    'telescope|galaxy|nebula|comet|orbit|planet|asteroid|eclipse|star cluster|light year|supernova|moon|meteor|observatory|lens|black hole|constellation|exoplanet|wave',
    'observe|orbit|collapse|rotate|magnify|track|detect|chart',
    'the Hubble Space Telescope|Jupiter|the Andromeda Galaxy|Saturn|the Milky Way|Halley’s Comet|the Kepler mission|Mars',
    'distant|faint|celestial|cosmic|bright|gravitational',
  ),
  topic(
    'cooking',
    'recipe|oven|skillet|dough|sauce|garlic|onion|broth|pastry|marinade|saucepan|flour|butter|spatula|casserole|yeast|scale|seasoning|simmer',
    'bake|simmer|knead|chop|saute|roast|whisk|marinate|season',
    'Julia Child|the Mediterranean diet|Gordon Ramsay|French cuisine|the Instant Pot|Le Cordon Bleu',
    'crispy|savory|tender|golden|spicy|creamy',
  ),
  topic(
    'gardening',
    'soil|compost|seedling|mulch|trowel|fertilizer|tomato plant|greenhouse|weed|pruning shears|raised bed|root|perennial|hedge|watering can|aphid|bulb|shrub',
    'prune|plant|water|transplant|harvest|fertilize|germinate|weed',
    'the Royal Horticultural Society|Kew Gardens|the Chelsea Flower Show|Monty Don|USDA hardiness zones|Miracle-Gro',
    'fertile|leafy|drought-tolerant|shady|organic|blooming',
  ),
  topic(
    'investing',
    'portfolio|dividend|stock|bond|index fund|broker|interest rate|inflation|asset|equity|bank|mortgage|retirement account|yield|share price|capital gain|hedge fund|scale',
    'invest|diversify|rebalance|hedge|borrow|compound|trade|allocate',
    'the S&P 500|Warren Buffett|the Federal Reserve|Vanguard|the New York Stock Exchange|Berkshire Hathaway|the Nasdaq',
    'volatile|liquid|risky|long-term|profitable|diversified',
  ),
  topic(
    'football',
    'goalkeeper|striker|penalty|midfielder|referee|offside|corner kick|pitch|stadium|header|free kick|defender|tackle|league|jersey|transfer|coach|tournament',
    'dribble|tackle|shoot|pass|defend|score|substitute|head',
    'Lionel Messi|the Premier League|the World Cup|Real Madrid|Manchester United|the Champions League|Pelé|Cristiano Ronaldo',
    'offensive|defensive|tactical|fast|physical|skillful',
  ),
  topic(
    'music',
    'guitar|chord|melody|pitch|rhythm|symphony|piano|scale|tempo|violin|orchestra|harmony|metronome|sheet music|drum|lyric|composer|octave',
    'compose|strum|tune|improvise|rehearse|conduct|harmonize|transpose',
    'Beethoven|Mozart|the Beatles|Carnegie Hall|Johann Sebastian Bach|Fender|Miles Davis|the Berlin Philharmonic',
    'melodic|harmonic|rhythmic|acoustic|classical|minor',
  ),
  topic(
    'programming',
    'function|variable|compiler|bug|loop|array|database|server|API|class|repository|recursion|pointer|thread|unit test|framework|engine|syntax|stack trace',
    'compile|debug|refactor|deploy|iterate|parse|commit|recurse|optimize',
    'Python|JavaScript|GitHub|Linux|Stack Overflow|Visual Studio Code|Rust|Kubernetes',
    'asynchronous|recursive|scalable|object-oriented|concurrent|typed',
  ),
  topic(
    'medicine',
    'symptom|diagnosis|vaccine|antibiotic|patient|blood pressure|immune system|infection|dose|surgeon|cell|clinic|prescription|fever|allergy|cholesterol|stethoscope|inflammation',
    'diagnose|prescribe|vaccinate|treat|infect|operate|monitor|heal',
    'the World Health Organization|penicillin|the Mayo Clinic|Hippocrates|the CDC|aspirin|Johns Hopkins Hospital',
    'chronic|acute|viral|bacterial|clinical|contagious',
  ),
  topic(
    'car repair',
    'engine|brake pad|spark plug|transmission|radiator|battery|tire|alternator|oil filter|clutch|exhaust|piston|wrench|jack|coolant|timing belt|axle|carburetor',
    'repair|replace|tighten|drain|jack up|inspect|lubricate|rotate',
    'Toyota|the Ford Model T|Bosch|Michelin|Tesla|Honda Civic|Volkswagen Golf',
    'mechanical|worn|leaking|rusty|hydraulic|diesel',
  ),
  topic(
    'law',
    'contract|lawsuit|judge|jury|plaintiff|defendant|attorney|verdict|statute|appeal|evidence|testimony|court|patent|liability|tenant|lease|settlement',
    'sue|testify|appeal|litigate|enforce|negotiate|sign|overrule',
    'the Supreme Court|the Constitution|Magna Carta|the Geneva Convention|Roe v. Wade|the European Court of Human Rights',
    'legal|binding|criminal|civil|constitutional|liable',
  ),
  topic(
    'chemistry',
    'molecule|atom|electron|acid|base|catalyst|reaction|compound|solution|isotope|bond|periodic table|beaker|titration|polymer|ion|cell|oxidation',
    'react|dissolve|oxidize|catalyze|titrate|neutralize|bond|distill',
    'Marie Curie|Dmitri Mendeleev|Linus Pauling|the Haber process|Antoine Lavoisier|the Royal Society of Chemistry',
    'acidic|organic|reactive|covalent|volatile|inert',
  ),
  topic(
    'marine biology',
    'coral reef|whale|plankton|shark|jellyfish|kelp|tide|octopus|dolphin|sea turtle|crustacean|estuary|scale|wave|current|fin|gill|algae',
    'migrate|spawn|filter|dive|camouflage|bleach|feed|swim',
    'the Great Barrier Reef|Jacques Cousteau|the Mariana Trench|the Monterey Bay Aquarium|the Gulf Stream|Sylvia Earle',
    'aquatic|marine|tropical|deep-sea|coastal|endangered',
  ),
  topic(
    'roman history',
    'emperor|senate|legion|gladiator|aqueduct|consul|forum|republic|province|centurion|chariot|colosseum|tribune|conquest|mosaic|temple|villa|empire',
    'conquer|rule|besiege|govern|assassinate|march|build|revolt',
    'Julius Caesar|Augustus|the Roman Senate|Carthage|Pompeii|Hadrian’s Wall|Marcus Aurelius|the Punic Wars',
    'imperial|ancient|Roman|republican|military|triumphant',
  ),
  topic(
    'photography',
    'camera|lens|shutter|aperture|exposure|tripod|sensor|portrait|flash|focal length|histogram|raw file|viewfinder|lighting|landscape|filter|ISO|frame',
    'photograph|frame|focus|expose|edit|crop|zoom|shoot',
    'Canon|Nikon|Ansel Adams|Adobe Lightroom|Leica|Annie Leibovitz|Fujifilm',
    'sharp|blurry|overexposed|wide-angle|candid|monochrome',
  ),
  topic(
    'aviation',
    'airplane|pilot|runway|cockpit|wing|propeller|turbulence|altitude|jet engine|air traffic control|landing gear|hangar|flight plan|fuselage|autopilot|engine|airport|cabin',
    'fly|land|take off|taxi|navigate|descend|climb|refuel',
    'the Wright brothers|Boeing|Airbus|the Concorde|Amelia Earhart|the FAA|Heathrow Airport',
    'aerodynamic|commercial|supersonic|airborne|turbulent|transatlantic',
  ),
  topic(
    'knitting',
    'yarn|needle|stitch|pattern|sweater|scarf|wool|skein|cable|purl|crochet hook|gauge|row|mitten|sock|cardigan|loop|cotton',
    'knit|purl|crochet|cast on|bind off|unravel|block|weave',
    'Ravelry|Elizabeth Zimmermann|the Fair Isle technique|Aran sweaters|Lion Brand|Shetland wool',
    'woolly|chunky|seamless|cozy|handmade|textured',
  ),
  topic(
    'electronics',
    'circuit|resistor|capacitor|transistor|voltage|current|soldering iron|breadboard|diode|battery|microcontroller|multimeter|board|LED|wire|cell|wave|oscilloscope',
    'solder|wire|measure|amplify|ground|rectify|short|power',
    'Arduino|Raspberry Pi|Ohm’s law|Nikola Tesla|Texas Instruments|Thomas Edison|Kirchhoff’s laws',
    'electrical|digital|analog|conductive|low-power|magnetic',
  ),
  topic(
    'geology',
    'volcano|magma|lava|earthquake|fault|sediment|fossil|mineral|crystal|tectonic plate|glacier|erosion|granite|basalt|canyon|rock layer|crust|mantle',
    'erupt|erode|deposit|fossilize|crystallize|shift|weather|melt',
    'Mount Vesuvius|the Grand Canyon|the Ring of Fire|Yellowstone|the San Andreas Fault|Mount St. Helens|Iceland',
    'volcanic|sedimentary|igneous|metamorphic|seismic|molten',
  ),
  topic(
    'chess',
    'pawn|bishop|knight|rook|queen|king|checkmate|gambit|endgame|opening|castling|tournament|board|move|stalemate|grandmaster|pin|fork',
    'checkmate|castle|capture|promote|sacrifice|defend|attack|resign',
    'Magnus Carlsen|Garry Kasparov|the Sicilian Defense|Bobby Fischer|the Queen’s Gambit|Deep Blue|Judit Polgár',
    'strategic|positional|tactical|aggressive|drawn|winning',
  ),
  topic(
    'brewing',
    'beer|hops|malt|yeast|barley|fermenter|wort|lager|ale|brewery|keg|mash|grain|bottle|carbonation|airlock|wine|cellar',
    'brew|ferment|mash|bottle|age|carbonate|boil|sanitize',
    'Guinness|the Reinheitsgebot|Oktoberfest|Belgian abbeys|Sierra Nevada|Heineken|Champagne',
    'hoppy|bitter|fruity|malty|sparkling|dry',
  ),
  topic(
    'architecture',
    'building|beam|column|facade|foundation|blueprint|arch|concrete|steel frame|skyscraper|roof|dome|staircase|floor plan|window|board|brick|load',
    'design|construct|renovate|draft|reinforce|insulate|demolish|frame',
    'Frank Lloyd Wright|the Bauhaus|Le Corbusier|the Eiffel Tower|Zaha Hadid|the Sagrada Família|the Parthenon',
    'modernist|gothic|structural|sustainable|minimalist|load-bearing',
  ),
  topic(
    'birds',
    'sparrow|eagle|feather|nest|beak|migration|owl|hummingbird|songbird|binoculars|flock|egg|wing|plumage|hawk|parrot|heron|birdhouse',
    'migrate|nest|perch|hatch|molt|forage|sing|soar',
    'the Audubon Society|the bald eagle|the Arctic tern|the peregrine falcon|the dodo|Roger Tory Peterson',
    'migratory|nocturnal|colorful|feathered|endangered|predatory',
  ),
  topic(
    'running',
    'marathon|sneaker|stride|pace|interval|hamstring|warm-up|sprint|track|endurance|heart rate|cadence|race|trail|shin splint|finish line|training plan|stretch',
    'run|sprint|jog|stretch|train|recover|pace|race',
    'the Boston Marathon|Usain Bolt|Eliud Kipchoge|Strava|the Olympic Games|Nike|the London Marathon',
    'aerobic|athletic|uphill|steady|fast|injured',
  ),
  topic(
    'dog care',
    'puppy|leash|collar|kibble|vet|breed|kennel|chew toy|flea|groomer|treat|obedience|tail|paw|crate|bark|fur|walk',
    'train|groom|feed|walk|bathe|adopt|socialize|fetch',
    'the American Kennel Club|the Labrador Retriever|the German Shepherd|Cesar Millan|the Border Collie|the Golden Retriever',
    'loyal|playful|obedient|hairy|energetic|friendly',
  ),
];

/** Nouns every English topic uses in its slots now and then (topic words are a minority of a record). */
export const EN_GENERIC_NOUNS = split(
  'method|process|example|system|part|way|idea|problem|result|question|step|detail|approach|tool|feature|benefit|reason|situation|factor|level|thing|time|people|practice',
);

export const ZH_TOPICS: readonly TopicVocab[] = [
  topic(
    '天文',
    '望远镜|星系|星云|彗星|轨道|行星|小行星|日食|超新星|月球|流星|天文台|黑洞|星座|光年|引力波',
    '观测|环绕|坍缩|自转|放大|追踪|探测',
    '哈勃望远镜|木星|仙女座星系|土星|银河系|哈雷彗星|火星',
    '遥远|暗淡|明亮|宇宙级',
  ),
  topic(
    '烹饪',
    '菜谱|烤箱|炒锅|面团|酱汁|大蒜|洋葱|高汤|酵母|调料|面粉|黄油|砂锅|红烧肉|饺子|温度',
    '烘烤|炖煮|揉面|切碎|翻炒|腌制|调味',
    '川菜|粤菜|满汉全席|东坡肉|北京烤鸭|新东方烹饪学校',
    '香脆|鲜嫩|麻辣|浓郁',
  ),
  topic(
    '园艺',
    '土壤|堆肥|幼苗|覆盖物|花盆|肥料|温室|杂草|修枝剪|花坛|根系|多年生植物|灌木|喷壶|蚜虫|球茎',
    '修剪|种植|浇水|移栽|收获|施肥|发芽',
    '拙政园|颐和园|中国花卉博览会|多肉植物|兰花协会',
    '肥沃|茂盛|耐旱|背阴',
  ),
  topic(
    '投资',
    '投资组合|股息|股票|债券|指数基金|券商|利率|通货膨胀|资产|股权|银行|房贷|养老金|收益率|股价|对冲基金',
    '投资|分散|再平衡|对冲|借贷|复利|交易',
    '上证指数|沃伦·巴菲特|中国人民银行|纳斯达克|深圳证券交易所|伯克希尔·哈撒韦',
    '波动|稳健|高风险|长期',
  ),
  topic(
    '足球',
    '守门员|前锋|点球|中场|裁判|越位|角球|球场|头球|任意球|后卫|铲球|联赛|球衣|转会|比赛',
    '盘带|射门|传球|防守|进球|换人|铲断',
    '梅西|英超联赛|世界杯|皇家马德里|曼联|欧冠|贝利|C罗',
    '进攻型|防守型|战术性|快速',
  ),
  topic(
    '音乐',
    '吉他|和弦|旋律|节奏|交响乐|钢琴|音阶|节拍|小提琴|管弦乐队|和声|节拍器|乐谱|鼓|歌词|作曲家',
    '作曲|弹奏|调音|即兴|排练|指挥|移调',
    '贝多芬|莫扎特|披头士|维也纳金色大厅|巴赫|二胡|周杰伦',
    '悠扬|抒情|古典|欢快',
  ),
  topic(
    '编程',
    '函数|变量|编译器|漏洞|循环|数组|数据库|服务器|接口|类|代码仓库|递归|指针|线程|单元测试|框架',
    '编译|调试|重构|部署|迭代|解析|提交',
    'Python|JavaScript|GitHub|Linux|Visual Studio Code|Rust|Kubernetes',
    '异步|递归|可扩展|面向对象',
  ),
  topic(
    '医学',
    '症状|诊断|疫苗|抗生素|病人|血压|免疫系统|感染|剂量|外科医生|细胞|诊所|处方|发烧|过敏|胆固醇',
    '诊断|开药|接种|治疗|感染|手术|监测',
    '世界卫生组织|青霉素|协和医院|华佗|疾控中心|阿司匹林',
    '慢性|急性|病毒性|传染性',
  ),
  topic(
    '汽车维修',
    '发动机|刹车片|火花塞|变速箱|散热器|电池|轮胎|发电机|机油滤清器|离合器|排气管|活塞|扳手|千斤顶|冷却液|正时皮带',
    '维修|更换|拧紧|排放|顶起|检查|润滑',
    '丰田|福特T型车|博世|米其林|特斯拉|本田思域|大众高尔夫',
    '机械|磨损|漏油|生锈',
  ),
  topic(
    '法律',
    '合同|诉讼|法官|陪审团|原告|被告|律师|判决|法规|上诉|证据|证词|法院|专利|责任|租约',
    '起诉|作证|上诉|裁定|执行|谈判|签署',
    '最高人民法院|宪法|民法典|日内瓦公约|大宪章|国际法院',
    '合法|有约束力|刑事|民事',
  ),
  topic(
    '化学',
    '分子|原子|电子|酸|碱|催化剂|反应|化合物|溶液|同位素|化学键|元素周期表|烧杯|滴定|聚合物|电池|温度',
    '反应|溶解|氧化|催化|滴定|中和|蒸馏',
    '居里夫人|门捷列夫|鲍林|哈伯法|拉瓦锡|侯德榜',
    '酸性|有机|活泼|惰性',
  ),
  topic(
    '唐朝历史',
    '皇帝|宰相|科举|长安|丝绸之路|节度使|诗人|宫廷|藩镇|府兵|均田制|宦官|使节|驿站|边疆|诗歌',
    '统治|征服|继位|改革|叛乱|出使|册封',
    '唐太宗|武则天|安史之乱|李白|杜甫|玄奘|贞观之治',
    '繁荣|开放|强盛|动荡',
  ),
];

export const ZH_GENERIC_NOUNS = split(
  '方法|过程|例子|系统|部分|方式|想法|问题|结果|步骤|细节|工具|特点|好处|原因|情况|因素|水平|事情|时间',
);
