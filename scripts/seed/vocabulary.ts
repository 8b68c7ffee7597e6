// The words the demo catalog is built from: a three-level category tree whose leaves say what kind
// of product they hold, and per kind the materials, options, prices and weights that make a title
// like "Classic Linen Shirt" come with believable sizes, colours and prices.

/** An option a family of products varies by, and how many of its values one product offers. */
export interface OptionSpec {
  name: string;
  values: readonly string[];
  /** How many values one product offers: [min, max]. */
  count: readonly [number, number];
  /** Sizes come as a run (S, M, L), colours as any selection. */
  contiguous?: boolean;
  /** Price increase per step along `values` (0.1: each larger size costs 10 % more). */
  priceStep?: number;
  /** Probability that a product of the family has this option at all (default 1). */
  probability?: number;
}

export interface Family {
  materials: readonly string[];
  options: readonly OptionSpec[];
  /** Base price range in minor units. */
  price: readonly [number, number];
  weightGrams: readonly [number, number];
  care: readonly string[];
  features: readonly string[];
}

export interface CategoryNode {
  name: string;
  children?: readonly CategoryNode[];
  /** Leaves only: the kind of product and the nouns its titles end with. */
  family?: FamilyName;
  nouns?: readonly string[];
}

const APPAREL_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'] as const;
const APPAREL_COLOURS = ['white', 'black', 'navy', 'grey', 'olive', 'sand', 'sky blue', 'burgundy', 'rust'];
const HOME_COLOURS = ['white', 'oat', 'sage', 'charcoal', 'terracotta', 'ochre', 'dusty pink'];

const apparelSize: OptionSpec = { name: 'size', values: APPAREL_SIZES, count: [2, 4], contiguous: true };
const apparelColour: OptionSpec = { name: 'colour', values: APPAREL_COLOURS, count: [1, 3] };
const shoeSize: OptionSpec = {
  name: 'size',
  values: ['36', '37', '38', '39', '40', '41', '42', '43', '44', '45', '46'],
  count: [3, 6],
  contiguous: true,
};
const apparelCare = [
  'Machine wash at 30 °C, inside out.',
  'Wash cold with similar colours; line dry.',
  'Hand wash or dry clean.',
  'Machine wash at 40 °C; do not tumble dry.',
];

export const FAMILIES = {
  tops: {
    materials: ['Linen', 'Cotton', 'Organic Cotton', 'Flannel', 'Chambray', 'Poplin', 'Jersey'],
    options: [apparelSize, apparelColour],
    price: [1500, 8900],
    weightGrams: [140, 380],
    care: apparelCare,
    features: [
      'Relaxed fit that sits just below the hip',
      'Garment-dyed for a soft, lived-in feel',
      'Reinforced seams at the shoulders',
      'Mother-of-pearl buttons',
      'Pre-washed, so it keeps its size',
      'Breathable weave for warm days',
    ],
  },
  bottoms: {
    materials: ['Denim', 'Twill', 'Corduroy', 'Linen', 'Wool', 'Cotton Canvas'],
    options: [apparelSize, apparelColour],
    price: [2500, 12900],
    weightGrams: [300, 750],
    care: apparelCare,
    features: [
      'Mid rise with a tapered leg',
      'Deep front pockets and a hidden coin pocket',
      'Stretch in the waistband for comfort',
      'Bar-tacked at every stress point',
      'Cut long enough to roll at the hem',
    ],
  },
  outerwear: {
    materials: ['Waxed Cotton', 'Wool', 'Recycled Nylon', 'Down', 'Fleece', 'Canvas'],
    options: [apparelSize, apparelColour],
    price: [4900, 24900],
    weightGrams: [500, 1800],
    care: ['Spot clean; re-wax once a season.', 'Dry clean only.', 'Machine wash at 30 °C; tumble dry low.'],
    features: [
      'Storm flap over a two-way zip',
      'Adjustable hood that packs into the collar',
      'Fleece-lined hand-warmer pockets',
      'Taped seams keep the rain out',
      'Inside pocket sized for a phone',
    ],
  },
  knitwear: {
    materials: ['Merino', 'Cashmere', 'Lambswool', 'Cotton', 'Alpaca'],
    options: [apparelSize, apparelColour],
    price: [3900, 18900],
    weightGrams: [250, 650],
    care: ['Hand wash cold and dry flat.', 'Dry clean or hand wash; dry flat.'],
    features: [
      'Ribbed cuffs and hem',
      'Fully fashioned for a clean shoulder line',
      'Spun from traceable fibre',
      'Warm without the bulk',
      'Naturally odour resistant',
    ],
  },
  dresses: {
    materials: ['Linen', 'Silk', 'Cotton', 'Jersey', 'Viscose'],
    options: [apparelSize, apparelColour],
    price: [3500, 14900],
    weightGrams: [200, 600],
    care: apparelCare,
    features: [
      'Midi length with a gentle A-line',
      'Side pockets in the seams',
      'Fully lined bodice',
      'Adjustable tie at the waist',
      'Falls easily; packs without creasing',
    ],
  },
  footwear: {
    materials: ['Leather', 'Suede', 'Canvas', 'Knit', 'Nubuck'],
    options: [
      shoeSize,
      { name: 'colour', values: ['black', 'brown', 'tan', 'white', 'navy'], count: [1, 2] },
    ],
    price: [3900, 19900],
    weightGrams: [450, 1400],
    care: ['Wipe clean with a damp cloth.', 'Brush when dry; use a suede protector.', 'Polish regularly.'],
    features: [
      'Cushioned, removable insole',
      'Goodyear-welted and resoleable',
      'Natural rubber outsole with deep grip',
      'Padded collar and heel tab',
      'True to size; go down half a size for a snug fit',
    ],
  },
  bags: {
    materials: ['Leather', 'Canvas', 'Recycled Nylon', 'Waxed Canvas', 'Cork'],
    options: [
      { name: 'colour', values: ['black', 'tan', 'olive', 'navy', 'natural', 'burgundy'], count: [1, 4] },
    ],
    price: [1900, 17900],
    weightGrams: [150, 1300],
    care: ['Wipe clean; condition leather twice a year.', 'Spot clean with mild soap.'],
    features: [
      'Padded sleeve fits a 15-inch laptop',
      'Solid brass hardware',
      'Water-resistant base',
      'Internal zip pocket and key clip',
      'Adjustable, detachable strap',
    ],
  },
  jewellery: {
    materials: ['Sterling Silver', 'Gold-Plated', 'Brass', 'Titanium', 'Recycled Silver'],
    options: [{ name: 'finish', values: ['silver', 'gold', 'rose gold'], count: [1, 3] }],
    price: [1500, 12900],
    weightGrams: [5, 60],
    care: ['Polish with a soft cloth; keep away from perfume.', 'Store in the pouch it came in.'],
    features: [
      'Nickel free and hypoallergenic',
      'Hand finished in a small workshop',
      'Comes in a recycled gift box',
      'Tarnish-resistant coating',
    ],
  },
  headwear: {
    materials: ['Wool', 'Cotton', 'Cashmere', 'Corduroy', 'Straw'],
    options: [
      { name: 'size', values: ['S/M', 'L/XL'], count: [1, 2], contiguous: true, probability: 0.6 },
      { name: 'colour', values: ['black', 'navy', 'oat', 'forest', 'rust'], count: [1, 3] },
    ],
    price: [1200, 4900],
    weightGrams: [60, 180],
    care: ['Hand wash cold; reshape while damp.', 'Spot clean only.'],
    features: ['Adjustable strap at the back', 'Turn-up cuff', 'Sweatband lined with cotton', 'Packs flat'],
  },
  bedding: {
    materials: ['Linen', 'Percale', 'Sateen', 'Wool', 'Organic Cotton'],
    options: [
      { name: 'size', values: ['single', 'double', 'king'], count: [1, 3], contiguous: true, priceStep: 0.2 },
      { name: 'colour', values: HOME_COLOURS, count: [1, 2] },
    ],
    price: [2900, 18900],
    weightGrams: [400, 2500],
    care: ['Machine wash at 40 °C; tumble dry low.', 'Wash at 60 °C; line dry for a crisp finish.'],
    features: [
      'Stone-washed for softness from the first night',
      'Envelope closure, no buttons to lose',
      'OEKO-TEX certified',
      'Gets softer with every wash',
    ],
  },
  decor: {
    materials: ['Ceramic', 'Glass', 'Soy Wax', 'Stoneware', 'Velvet', 'Rattan'],
    options: [{ name: 'colour', values: HOME_COLOURS, count: [1, 3], probability: 0.5 }],
    price: [900, 7900],
    weightGrams: [150, 2200],
    care: ['Dust with a dry cloth.', 'Trim the wick before each use.', 'Spot clean with a damp cloth.'],
    features: [
      'Each piece slightly different',
      'Made in small batches',
      'Glazed inside, matt outside',
      'Burns for around 45 hours',
      'Feather-filled insert included',
    ],
  },
  bath: {
    materials: ['Cotton', 'Waffle Cotton', 'Linen', 'Turkish Cotton', 'Bamboo'],
    options: [
      { name: 'size', values: ['hand', 'bath', 'sheet'], count: [1, 3], contiguous: true, priceStep: 0.35 },
      { name: 'colour', values: HOME_COLOURS, count: [1, 2] },
    ],
    price: [900, 5900],
    weightGrams: [150, 1200],
    care: ['Machine wash at 60 °C; tumble dry.', 'Wash warm; avoid fabric softener.'],
    features: [
      'Quick drying',
      'Hanging loop on every piece',
      '600 gsm and thirsty',
      'Woven on traditional looms',
    ],
  },
  cookware: {
    materials: ['Cast Iron', 'Stainless Steel', 'Carbon Steel', 'Copper', 'Enamelled'],
    options: [
      {
        name: 'size',
        values: ['20 cm', '24 cm', '28 cm', '32 cm'],
        count: [1, 3],
        contiguous: true,
        priceStep: 0.15,
      },
    ],
    price: [2900, 18900],
    weightGrams: [900, 4500],
    care: ['Hand wash; dry and oil lightly.', 'Dishwasher safe.', 'Season before first use.'],
    features: [
      'Works on induction, gas and in the oven',
      'Riveted stay-cool handle',
      'Pre-seasoned and ready to use',
      'Five-ply base spreads heat evenly',
      'Lifetime warranty',
    ],
  },
  tableware: {
    materials: ['Stoneware', 'Porcelain', 'Glass', 'Enamel', 'Earthenware'],
    options: [
      { name: 'set', values: ['single', 'set of 4'], count: [1, 2], contiguous: true, priceStep: 2.5 },
      { name: 'colour', values: HOME_COLOURS, count: [1, 3] },
    ],
    price: [600, 4900],
    weightGrams: [150, 900],
    care: ['Dishwasher and microwave safe.', 'Hand wash recommended.'],
    features: [
      'Reactive glaze, so no two are alike',
      'Stacks neatly',
      'Chip-resistant rim',
      'Thrown by hand',
    ],
  },
  utensils: {
    materials: ['Stainless Steel', 'Damascus Steel', 'Olive Wood', 'Walnut', 'Bamboo'],
    options: [
      {
        name: 'size',
        values: ['small', 'medium', 'large'],
        count: [1, 3],
        contiguous: true,
        priceStep: 0.25,
      },
    ],
    price: [900, 14900],
    weightGrams: [80, 1600],
    care: ['Hand wash and dry at once.', 'Oil the wood once a month.'],
    features: [
      'Full tang, balanced in the hand',
      'Hardwood from managed forests',
      'Hand sharpened',
      'Juice groove on one side',
    ],
  },
  camping: {
    materials: ['Ripstop Nylon', 'Canvas', 'Recycled Polyester', 'Down', 'Aluminium'],
    options: [
      {
        name: 'size',
        values: ['2-person', '3-person', '4-person'],
        count: [1, 3],
        contiguous: true,
        priceStep: 0.3,
      },
    ],
    price: [2900, 19900],
    weightGrams: [300, 4800],
    care: ['Dry fully before storing.', 'Spot clean; never machine wash.'],
    features: [
      'Pitches in under five minutes',
      'Packs down to the size of a water bottle',
      'Rated to 3 °C comfort',
      'Taped seams and a 3000 mm hydrostatic head',
      'Rechargeable over USB-C',
    ],
  },
  garden: {
    materials: ['Terracotta', 'Galvanised Steel', 'Ash Wood', 'Recycled Plastic', 'Concrete'],
    options: [
      { name: 'size', values: ['small', 'medium', 'large'], count: [1, 3], contiguous: true, priceStep: 0.3 },
    ],
    price: [700, 8900],
    weightGrams: [200, 6000],
    care: ['Bring indoors over winter.', 'Wipe clean and oil the handle.'],
    features: [
      'Drainage hole with a plug',
      'Frost resistant',
      'Forged head, ash handle',
      'Stands up to daily use',
    ],
  },
} satisfies Record<string, Family>;
export type FamilyName = keyof typeof FAMILIES;

export const CATEGORY_TREE: readonly CategoryNode[] = [
  {
    name: 'Clothing',
    children: [
      {
        name: 'Men',
        children: [
          {
            name: 'Shirts',
            family: 'tops',
            nouns: ['Shirt', 'Overshirt', 'Button-Down Shirt', 'Camp Shirt'],
          },
          { name: 'T-Shirts', family: 'tops', nouns: ['T-Shirt', 'Pocket Tee', 'Henley', 'Polo'] },
          { name: 'Trousers', family: 'bottoms', nouns: ['Chinos', 'Jeans', 'Work Trousers', 'Shorts'] },
          { name: 'Jackets', family: 'outerwear', nouns: ['Jacket', 'Parka', 'Field Jacket', 'Gilet'] },
          { name: 'Knitwear', family: 'knitwear', nouns: ['Sweater', 'Cardigan', 'Crewneck', 'Roll Neck'] },
        ],
      },
      {
        name: 'Women',
        children: [
          { name: 'Dresses', family: 'dresses', nouns: ['Dress', 'Wrap Dress', 'Slip Dress', 'Shirt Dress'] },
          { name: 'Tops', family: 'tops', nouns: ['Blouse', 'Tee', 'Tank Top', 'Smock Top'] },
          { name: 'Skirts', family: 'bottoms', nouns: ['Skirt', 'Midi Skirt', 'Wrap Skirt'] },
          { name: 'Jackets', family: 'outerwear', nouns: ['Jacket', 'Trench Coat', 'Blazer', 'Puffer'] },
          { name: 'Knitwear', family: 'knitwear', nouns: ['Jumper', 'Cardigan', 'Knit Vest', 'Turtleneck'] },
        ],
      },
      {
        name: 'Kids',
        children: [
          { name: 'Tops', family: 'tops', nouns: ['Kids Tee', 'Kids Sweatshirt', 'Kids Shirt'] },
          { name: 'Bottoms', family: 'bottoms', nouns: ['Kids Joggers', 'Kids Shorts', 'Kids Dungarees'] },
          { name: 'Outerwear', family: 'outerwear', nouns: ['Kids Raincoat', 'Kids Puffer', 'Kids Fleece'] },
        ],
      },
    ],
  },
  {
    name: 'Footwear',
    children: [
      {
        name: 'Men',
        children: [
          { name: 'Sneakers', family: 'footwear', nouns: ['Sneakers', 'Court Shoes', 'Runners'] },
          { name: 'Boots', family: 'footwear', nouns: ['Chelsea Boots', 'Hiking Boots', 'Work Boots'] },
          { name: 'Sandals', family: 'footwear', nouns: ['Sandals', 'Slides', 'Espadrilles'] },
        ],
      },
      {
        name: 'Women',
        children: [
          { name: 'Sneakers', family: 'footwear', nouns: ['Sneakers', 'Platform Trainers', 'Slip-Ons'] },
          { name: 'Boots', family: 'footwear', nouns: ['Ankle Boots', 'Knee Boots', 'Chelsea Boots'] },
          { name: 'Sandals', family: 'footwear', nouns: ['Sandals', 'Mules', 'Espadrilles'] },
          { name: 'Heels', family: 'footwear', nouns: ['Pumps', 'Block Heels', 'Slingbacks'] },
        ],
      },
    ],
  },
  {
    name: 'Accessories',
    children: [
      {
        name: 'Bags',
        children: [
          { name: 'Backpacks', family: 'bags', nouns: ['Backpack', 'Rolltop Pack', 'Daypack'] },
          { name: 'Totes', family: 'bags', nouns: ['Tote', 'Shopper', 'Market Bag'] },
          { name: 'Wallets', family: 'bags', nouns: ['Wallet', 'Card Holder', 'Coin Purse'] },
        ],
      },
      {
        name: 'Jewellery',
        children: [
          { name: 'Necklaces', family: 'jewellery', nouns: ['Necklace', 'Pendant', 'Chain'] },
          { name: 'Rings', family: 'jewellery', nouns: ['Ring', 'Signet Ring', 'Stacking Ring'] },
          { name: 'Earrings', family: 'jewellery', nouns: ['Earrings', 'Hoops', 'Studs'] },
        ],
      },
      {
        name: 'Headwear',
        children: [
          { name: 'Caps', family: 'headwear', nouns: ['Cap', 'Baseball Cap', 'Six-Panel Cap'] },
          { name: 'Beanies', family: 'headwear', nouns: ['Beanie', 'Watch Cap', 'Bobble Hat'] },
          { name: 'Sun Hats', family: 'headwear', nouns: ['Bucket Hat', 'Sun Hat', 'Panama'] },
        ],
      },
    ],
  },
  {
    name: 'Home & Living',
    children: [
      {
        name: 'Bedding',
        children: [
          { name: 'Duvet Covers', family: 'bedding', nouns: ['Duvet Cover', 'Duvet Set'] },
          { name: 'Pillows', family: 'bedding', nouns: ['Pillowcase Pair', 'Pillow', 'Bolster'] },
          { name: 'Throws', family: 'bedding', nouns: ['Throw', 'Blanket', 'Bedspread'] },
        ],
      },
      {
        name: 'Decor',
        children: [
          { name: 'Candles', family: 'decor', nouns: ['Candle', 'Tealight Set', 'Candle Holder'] },
          { name: 'Vases', family: 'decor', nouns: ['Vase', 'Bud Vase', 'Vessel'] },
          { name: 'Cushions', family: 'decor', nouns: ['Cushion', 'Floor Cushion', 'Lumbar Cushion'] },
        ],
      },
      {
        name: 'Bath',
        children: [
          { name: 'Towels', family: 'bath', nouns: ['Towel', 'Towel Set', 'Beach Towel'] },
          { name: 'Bath Mats', family: 'bath', nouns: ['Bath Mat', 'Shower Mat'] },
          { name: 'Robes', family: 'bath', nouns: ['Robe', 'Bath Robe', 'Kimono Robe'] },
        ],
      },
    ],
  },
  {
    name: 'Kitchen',
    children: [
      {
        name: 'Cookware',
        children: [
          { name: 'Frying Pans', family: 'cookware', nouns: ['Frying Pan', 'Skillet', 'Crepe Pan'] },
          { name: 'Saucepans', family: 'cookware', nouns: ['Saucepan', 'Milk Pan', 'Stockpot'] },
          { name: 'Casseroles', family: 'cookware', nouns: ['Casserole', 'Dutch Oven', 'Braiser'] },
        ],
      },
      {
        name: 'Tableware',
        children: [
          { name: 'Plates', family: 'tableware', nouns: ['Dinner Plate', 'Side Plate', 'Pasta Bowl'] },
          { name: 'Mugs', family: 'tableware', nouns: ['Mug', 'Cup', 'Espresso Cup'] },
          { name: 'Glasses', family: 'tableware', nouns: ['Tumbler', 'Wine Glass', 'Carafe'] },
        ],
      },
      {
        name: 'Utensils',
        children: [
          { name: 'Knives', family: 'utensils', nouns: ['Chef Knife', 'Paring Knife', 'Bread Knife'] },
          { name: 'Chopping Boards', family: 'utensils', nouns: ['Chopping Board', 'Serving Board'] },
        ],
      },
    ],
  },
  {
    name: 'Outdoor',
    children: [
      {
        name: 'Camping',
        children: [
          { name: 'Tents', family: 'camping', nouns: ['Tent', 'Tarp Shelter', 'Dome Tent'] },
          { name: 'Sleeping Bags', family: 'camping', nouns: ['Sleeping Bag', 'Quilt', 'Sleeping Mat'] },
          { name: 'Lanterns', family: 'camping', nouns: ['Lantern', 'Head Torch', 'String Lights'] },
        ],
      },
      {
        name: 'Garden',
        children: [
          { name: 'Planters', family: 'garden', nouns: ['Planter', 'Pot', 'Window Box'] },
          { name: 'Tools', family: 'garden', nouns: ['Trowel', 'Hand Fork', 'Pruners'] },
        ],
      },
    ],
  },
];

export const ADJECTIVES = [
  'Classic',
  'Essential',
  'Everyday',
  'Relaxed',
  'Heritage',
  'Modern',
  'Vintage',
  'Minimal',
  'Rustic',
  'Coastal',
  'Nordic',
  'Urban',
  'Alpine',
  'Weekend',
  'Signature',
  'Studio',
  'Artisan',
  'Lightweight',
  'Heavyweight',
  'Soft',
  'Original',
  'Utility',
  'Field',
  'Harbour',
  'Summit',
  'Meadow',
  'Highland',
  'Riviera',
  'Atelier',
  'Workshop',
] as const;

export const ORIGINS = [
  'Portugal',
  'Italy',
  'India',
  'Vietnam',
  'Turkey',
  'Japan',
  'Peru',
  'Lithuania',
  'Sweden',
  'the United Kingdom',
  'Spain',
  'Morocco',
] as const;

export const INTROS = [
  'made for everyday wear and years of use',
  'a quiet favourite that goes with everything',
  'designed in our studio and made by people we know',
  'built for long days and easy weekends',
  'an update of a design we have sold since the beginning',
  'simple, honest and made to be used',
] as const;

export const CLOSINGS = [
  'Order by 2 pm for dispatch the same day.',
  'Free returns within 30 days.',
  'Pairs well with the rest of the collection.',
  'Packed in plastic-free, recycled packaging.',
] as const;

export const IMAGE_VIEWS = ['front view', 'detail', 'in use'] as const;
