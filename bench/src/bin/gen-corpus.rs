//! `gen-corpus`: writes a realistic online-store FAQ of any size, as Markdown articles
//! that `faq-indexer` builds.
//!
//! The sample FAQ has 44 articles; a large store has thousands. To measure index size
//! and search latency at that scale we need a corpus that looks like a real help centre
//! (store vocabulary, front matter, 80–250 word answers, alternative questions) and is
//! identical on every run, so numbers from different commits compare. Articles come from
//! topic templates (shipping, returns, payments, orders, sizing, care, warranty,
//! promotions) filled with products, brands, colours, materials, countries, carriers,
//! payment methods and order states drawn by a seeded PRNG.
//!
//! Every title and question names all the values that make its article distinct, so no
//! question is repeated across articles (which `faq-indexer check` rejects); a global
//! check backs this up.
//!
//! ```sh
//! cargo run --release -p shopdesk-bench --bin gen-corpus -- --articles 1000 --out target/bench/corpus-1000
//! ```

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, ensure, Context, Result};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "Generate a deterministic online-store FAQ corpus as Markdown articles")]
struct Args {
    /// Number of articles.
    #[arg(long)]
    articles: usize,
    /// Output folder; created if missing. Existing `*.md` files in it are replaced, so
    /// that a smaller corpus leaves no stale articles; any other file is an error.
    #[arg(long)]
    out: PathBuf,
    /// PRNG seed: the same seed and count always give byte-identical files.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

/// "SHOPDESK" in ASCII.
const DEFAULT_SEED: u64 = 0x5348_4f50_4445_534b;

fn main() -> ExitCode {
    shopdesk_bench::finish(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    ensure!(args.articles > 0, "--articles must be at least 1");
    let articles = generate(args.articles, args.seed)?;
    prepare_out(&args.out)?;
    for a in &articles {
        let path = args.out.join(format!("{}.md", a.id));
        std::fs::write(&path, a.to_markdown())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    eprintln!(
        "wrote {} articles to {}",
        articles.len(),
        args.out.display()
    );
    Ok(())
}

/// Creates `out`, or empties it of Markdown files; refuses folders holding anything else
/// so a typo in `--out` cannot delete someone's work.
fn prepare_out(out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(out).with_context(|| format!("cannot read {}", out.display()))? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "md") {
            stale.push(path);
        } else {
            bail!(
                "{} holds {}, which is not a generated article; use an empty folder",
                out.display(),
                path.display()
            );
        }
    }
    for path in stale {
        std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// PRNG

/// SplitMix64: tiny, fast, and fully specified, so the corpus never changes because a
/// dependency changed its algorithm.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is below 2^-40 for our `n`).
    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0)");
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Vocabulary

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Apparel,
    Footwear,
    Accessories,
    Electronics,
    Home,
    Outdoor,
}

use Group::*;

#[derive(Debug)]
struct Product {
    name: &'static str,
    /// Sold in pairs ("a pair of running shoes").
    pair: bool,
    group: Group,
}

const fn p(name: &'static str, group: Group) -> Product {
    Product {
        name,
        pair: false,
        group,
    }
}

const fn pair(name: &'static str, group: Group) -> Product {
    Product {
        name,
        pair: true,
        group,
    }
}

const PRODUCTS: &[Product] = &[
    p("rain jacket", Apparel),
    p("down parka", Apparel),
    p("fleece hoodie", Apparel),
    p("knit sweater", Apparel),
    p("linen shirt", Apparel),
    p("denim jacket", Apparel),
    pair("chinos", Apparel),
    pair("cargo shorts", Apparel),
    p("wrap dress", Apparel),
    p("pleated skirt", Apparel),
    p("sports bra", Apparel),
    pair("swim shorts", Apparel),
    p("kids raincoat", Apparel),
    p("baby onesie", Apparel),
    p("silk scarf", Apparel),
    p("wool beanie", Apparel),
    p("puffer vest", Apparel),
    p("flannel shirt", Apparel),
    pair("leggings", Apparel),
    p("trench coat", Apparel),
    pair("running shoes", Footwear),
    pair("hiking boots", Footwear),
    pair("leather sneakers", Footwear),
    pair("suede loafers", Footwear),
    pair("ankle boots", Footwear),
    pair("sandals", Footwear),
    pair("slippers", Footwear),
    p("leather belt", Accessories),
    p("canvas tote", Accessories),
    p("travel backpack", Accessories),
    p("laptop sleeve", Accessories),
    p("daypack", Accessories),
    pair("sunglasses", Accessories),
    p("wallet", Accessories),
    p("duffel bag", Accessories),
    pair("wireless earbuds", Electronics),
    p("bluetooth speaker", Electronics),
    p("smartwatch", Electronics),
    p("phone case", Electronics),
    p("power bank", Electronics),
    p("fitness tracker", Electronics),
    p("yoga mat", Home),
    p("water bottle", Home),
    p("insulated mug", Home),
    p("coffee grinder", Home),
    p("french press", Home),
    p("cast iron pan", Home),
    p("chef knife", Home),
    p("towel set", Home),
    p("duvet cover", Home),
    p("wool blanket", Home),
    p("scented candle", Home),
    p("ceramic vase", Home),
    p("desk lamp", Home),
    p("bike helmet", Outdoor),
    p("camping stove", Outdoor),
    p("sleeping bag", Outdoor),
    pair("trekking poles", Outdoor),
    p("tent", Outdoor),
    p("headlamp", Outdoor),
];

fn materials(group: Group) -> &'static [&'static str] {
    match group {
        Apparel => &[
            "merino wool",
            "organic cotton",
            "linen",
            "recycled polyester",
            "cashmere",
            "silk",
            "denim",
            "bamboo viscose",
            "Gore-Tex",
            "fleece",
        ],
        Footwear => &[
            "full-grain leather",
            "suede",
            "vegan leather",
            "recycled mesh",
            "Gore-Tex",
            "natural rubber",
        ],
        Accessories => &[
            "full-grain leather",
            "waxed canvas",
            "recycled nylon",
            "cork",
            "vegan leather",
        ],
        Electronics => &["aluminium", "recycled plastic", "silicone"],
        Home => &[
            "stainless steel",
            "cast iron",
            "stoneware",
            "bamboo",
            "organic cotton",
            "borosilicate glass",
            "wool",
        ],
        Outdoor => &[
            "ripstop nylon",
            "aluminium",
            "recycled polyester",
            "duck down",
        ],
    }
}

const BRANDS: &[&str] = &[
    "Northwind",
    "Alpenglow",
    "Fjordline",
    "Harbor Lane",
    "Copperleaf",
    "Bluebirch",
    "Stonebridge",
    "Solstice",
    "Tidewater",
    "Ironbark",
    "Maple Row",
    "Cedarpoint",
    "Wildmoor",
    "Lumen",
    "Brightfield",
    "Oakhaven",
    "Silverpine",
    "Urban Trail",
    "Meadowlark",
    "Nordkap",
    "Sandbar",
    "Redwood Supply",
    "Everpeak",
    "Kestrel",
];

const COLORS: &[&str] = &[
    "black",
    "navy",
    "olive",
    "sand",
    "charcoal",
    "burgundy",
    "forest green",
    "sky blue",
    "off-white",
    "mustard",
    "coral",
    "grey melange",
    "camel",
    "lavender",
    "rust",
    "teal",
];

const COUNTRIES: &[&str] = &[
    "Germany",
    "Austria",
    "Switzerland",
    "France",
    "Italy",
    "Spain",
    "Portugal",
    "the Netherlands",
    "Belgium",
    "Luxembourg",
    "Denmark",
    "Sweden",
    "Norway",
    "Finland",
    "Poland",
    "Czechia",
    "Ireland",
    "the United Kingdom",
    "the United States",
    "Canada",
    "Australia",
    "Japan",
    "Greece",
    "Hungary",
    "Croatia",
    "Iceland",
];

const CARRIERS: &[&str] = &[
    "DHL",
    "DPD",
    "UPS",
    "FedEx",
    "GLS",
    "Hermes",
    "PostNL",
    "Royal Mail",
    "Colissimo",
    "Australia Post",
];

const PAYMENTS: &[&str] = &[
    "PayPal",
    "Klarna",
    "Apple Pay",
    "Google Pay",
    "Visa",
    "Mastercard",
    "American Express",
    "bank transfer",
    "SEPA direct debit",
    "iDEAL",
    "store credit",
    "Afterpay",
];

const STATES: &[&str] = &[
    "processing",
    "on hold",
    "awaiting payment",
    "ready to ship",
    "shipped",
    "out for delivery",
    "delivered",
    "cancelled",
    "partially shipped",
    "returned to sender",
    "refund pending",
];

const SIZES: &[&str] = &["XS", "S", "M", "L", "XL", "XXL", "EU 38", "EU 42", "EU 44"];

// ---------------------------------------------------------------------------------------
// Topics

/// The values that make an article distinct; every title and question names all of its
/// topic's slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Product,
    Brand,
    Color,
    Material,
    Country,
    Carrier,
    Payment,
    State,
}

impl Slot {
    /// Placeholders that name this slot in a template.
    #[cfg(test)]
    fn placeholders(self) -> &'static [&'static str] {
        match self {
            Slot::Product => &["{product}", "{a_product}"],
            Slot::Brand => &["{brand}"],
            Slot::Color => &["{color}"],
            Slot::Material => &["{material}"],
            Slot::Country => &["{country}"],
            Slot::Carrier => &["{carrier}"],
            Slot::Payment => &["{payment}"],
            Slot::State => &["{state}"],
        }
    }
}

#[derive(Debug)]
struct Topic {
    category: &'static str,
    slots: &'static [Slot],
    /// Product groups this topic makes sense for; empty means all.
    groups: &'static [Group],
    title: &'static str,
    /// At least five, so 3–5 can be picked.
    questions: &'static [&'static str],
    /// First sentence of the answer.
    opening: &'static str,
    tags: &'static [&'static str],
    /// Store pages the article may be suggested on.
    pages: &'static [&'static str],
}

const SHIPPING: &str = "Shipping & delivery";
const RETURNS: &str = "Returns & refunds";
const PAYMENTS_CAT: &str = "Payments";
const ORDERS: &str = "Orders";
const PRODUCTS_CAT: &str = "Products & stock";
const SIZING: &str = "Sizing & fit";
const CARE: &str = "Product care";
const WARRANTY: &str = "Warranty & repairs";
const PROMOTIONS: &str = "Promotions & gifts";

use Slot as S;

const TOPICS: &[Topic] = &[
    Topic {
        category: SHIPPING,
        slots: &[S::Product, S::Country],
        groups: &[],
        title: "Shipping {a_product} to {country}",
        questions: &[
            "how long does delivery of {a_product} to {country} take",
            "do you ship {a_product} to {country}",
            "shipping cost for {a_product} to {country}",
            "when will my {product} arrive in {country}",
            "can I order {a_product} from {country}",
            "delivery options for {a_product} in {country}",
        ],
        opening: "We ship {a_product} to {country} with tracked delivery, and most orders leave our warehouse within one working day.",
        tags: &["shipping", "international", "delivery-times"],
        pages: &["/shipping*", "/products/{product_slug}*"],
    },
    Topic {
        category: SHIPPING,
        slots: &[S::Carrier, S::Product],
        groups: &[],
        title: "Tracking {a_product} sent with {carrier}",
        questions: &[
            "where is my {product} shipped by {carrier}",
            "{carrier} tracking number for my {product}",
            "{carrier} says my {product} arrived but I have nothing",
            "can I reschedule the {carrier} delivery of my {product}",
            "{carrier} has not updated the tracking of my {product}",
        ],
        opening: "As soon as your {product} leaves our warehouse you get an email with the {carrier} tracking number and a link to follow the parcel.",
        tags: &["tracking", "carrier", "shipping"],
        pages: &["/account/orders*", "/tracking*"],
    },
    Topic {
        category: SHIPPING,
        slots: &[S::Carrier, S::Country],
        groups: &[],
        title: "{carrier} deliveries in {country}",
        questions: &[
            "does {carrier} deliver to {country}",
            "how long does {carrier} take to {country}",
            "{carrier} parcel stuck in customs in {country}",
            "can I pick up my {carrier} parcel at a shop in {country}",
            "{carrier} delivery days in {country}",
        ],
        opening: "In {country} most of our parcels are delivered by {carrier}, usually on working days between 8 am and 8 pm.",
        tags: &["carrier", "international", "shipping"],
        pages: &["/shipping*"],
    },
    Topic {
        category: SHIPPING,
        slots: &[S::Brand, S::Country],
        groups: &[],
        title: "Express delivery of {brand} orders to {country}",
        questions: &[
            "can I get next day delivery of {brand} products in {country}",
            "express shipping for my {brand} order to {country}",
            "is {brand} available for fast delivery to {country}",
            "how much is express delivery of {brand} items to {country}",
            "I need my {brand} order in {country} by the weekend",
        ],
        opening: "Express delivery is available for {brand} products shipped to {country} when you order before 2 pm on a working day.",
        tags: &["express", "shipping", "delivery-times"],
        pages: &["/shipping*", "/checkout*"],
    },
    Topic {
        category: SHIPPING,
        slots: &[S::Product, S::Country],
        groups: &[],
        title: "Customs duties on {a_product} shipped to {country}",
        questions: &[
            "do I pay import tax on {a_product} sent to {country}",
            "customs fees for my {product} in {country}",
            "why was I charged duties for {a_product} in {country}",
            "is VAT included for {a_product} delivered to {country}",
            "who pays customs on {a_product} shipped to {country}",
        ],
        opening: "Whether duties apply to {a_product} shipped to {country} depends on the order value and the local customs rules.",
        tags: &["customs", "duties", "international"],
        pages: &["/shipping*", "/checkout*"],
    },
    Topic {
        category: RETURNS,
        slots: &[S::Color, S::Product],
        groups: &[],
        title: "Returning {a_product} in {color}",
        questions: &[
            "how do I return {a_product} in {color}",
            "send back my {product} in {color}",
            "refund for {a_product} in {color}",
            "the {color} {product} looks different from the photos",
            "exchange my {product} in {color} for another colour",
            "return label for {a_product} in {color}",
        ],
        opening: "You can return {a_product} in {color} within 30 days of delivery, as long as it is unused and in its original packaging.",
        tags: &["returns", "refund", "exchange"],
        pages: &["/returns*", "/account/orders*"],
    },
    Topic {
        category: RETURNS,
        slots: &[S::Brand, S::Payment],
        groups: &[],
        title: "Refunds for {brand} orders paid with {payment}",
        questions: &[
            "when do I get my {payment} refund for a {brand} return",
            "{brand} refund not showing on {payment}",
            "how is a {brand} order paid by {payment} refunded",
            "refund to {payment} for {brand} items",
            "can a {brand} refund go somewhere other than {payment}",
        ],
        opening: "Refunds for {brand} orders always go back to the payment method you used, in this case {payment}.",
        tags: &["refund", "payment", "returns"],
        pages: &["/returns*", "/account/orders*"],
    },
    Topic {
        category: RETURNS,
        slots: &[S::Material, S::Product],
        groups: &[],
        title: "Return period for {a_product} made of {material}",
        questions: &[
            "how long can I return {a_product} made of {material}",
            "is {a_product} made of {material} returnable after use",
            "return period for {material} {product}",
            "can I return my worn {material} {product}",
            "{material} {product} return deadline",
        ],
        opening: "Items made of {material}, including your {product}, follow our standard 30-day return period.",
        tags: &["returns", "return-window", "policy"],
        pages: &["/returns*"],
    },
    Topic {
        category: RETURNS,
        slots: &[S::Product, S::Country],
        groups: &[],
        title: "Returning {a_product} from {country}",
        questions: &[
            "how do I send {a_product} back from {country}",
            "free returns for {a_product} from {country}",
            "return shipping cost for my {product} from {country}",
            "drop-off points in {country} for returning my {product}",
            "return my {product} to you from {country}",
        ],
        opening: "Returning {a_product} from {country} works through our online returns portal, which creates the right label for your country.",
        tags: &["returns", "international", "label"],
        pages: &["/returns*"],
    },
    Topic {
        category: RETURNS,
        slots: &[S::Brand, S::Product],
        groups: &[],
        title: "Damaged or faulty {brand} {product}",
        questions: &[
            "my {brand} {product} arrived damaged",
            "{brand} {product} stopped working",
            "faulty {brand} {product} replacement",
            "broken {brand} {product} in the parcel",
            "report a defect on my {brand} {product}",
        ],
        opening: "We are sorry your {brand} {product} is not as it should be; we replace or refund faulty items free of charge.",
        tags: &["damaged", "faulty", "replacement"],
        pages: &["/returns*", "/account/orders*"],
    },
    Topic {
        category: PAYMENTS_CAT,
        slots: &[S::Payment, S::Product],
        groups: &[],
        title: "Paying for {a_product} with {payment}",
        questions: &[
            "can I pay for {a_product} with {payment}",
            "{payment} declined when buying {a_product}",
            "pay for my {product} in instalments with {payment}",
            "{payment} charged twice for my {product}",
            "is {payment} accepted for {a_product}",
        ],
        opening: "Yes, you can pay for {a_product} with {payment}; choose it in the last step of checkout.",
        tags: &["payment", "checkout"],
        pages: &["/checkout*", "/products/{product_slug}*"],
    },
    Topic {
        category: PAYMENTS_CAT,
        slots: &[S::Payment, S::Country],
        groups: &[],
        title: "{payment} in {country}",
        questions: &[
            "is {payment} available in {country}",
            "why can't I use {payment} in {country}",
            "{payment} fees for orders from {country}",
            "pay with {payment} from {country}",
            "{payment} currency in {country}",
        ],
        opening: "Which payment methods you see at checkout depends on your delivery country; for {country} this usually includes {payment}.",
        tags: &["payment", "international", "checkout"],
        pages: &["/checkout*"],
    },
    Topic {
        category: PAYMENTS_CAT,
        slots: &[S::Payment, S::State],
        groups: &[],
        title: "{payment} charges on orders that are {state}",
        questions: &[
            "my order is {state} but {payment} already charged me",
            "{payment} authorisation on an order that is {state}",
            "when does {payment} take the money if my order is {state}",
            "{payment} pending while the order is {state}",
            "cancel the {payment} payment for an order that is {state}",
        ],
        opening: "With {payment}, the amount is reserved when you place the order and only charged once we ship; an order that is {state} may still show a pending amount.",
        tags: &["payment", "order-status", "charges"],
        pages: &["/account/orders*", "/checkout*"],
    },
    Topic {
        category: ORDERS,
        slots: &[S::Brand, S::State],
        groups: &[],
        title: "{brand} order status: {state}",
        questions: &[
            "what does {state} mean for my {brand} order",
            "my {brand} order still says {state}",
            "why is my {brand} order {state}",
            "{brand} order {state} but nothing arrived",
            "who do I contact about a {brand} order that is {state}",
        ],
        opening: "The status {state} on a {brand} order tells you where your parcel is in our process.",
        tags: &["order-status", "orders"],
        pages: &["/account/orders*"],
    },
    Topic {
        category: ORDERS,
        slots: &[S::Product, S::State],
        groups: &[],
        title: "Changing an order for {a_product} that is {state}",
        questions: &[
            "can I change the size of my {product} order that is {state}",
            "add items to my {product} order while it is {state}",
            "cancel my {product} order that is {state}",
            "change the address of a {product} order that is {state}",
            "edit my {product} order, it says {state}",
        ],
        opening: "Whether you can still change an order for {a_product} depends on its status; an order that is {state} has these options.",
        tags: &["change-order", "cancel", "orders"],
        pages: &["/account/orders*"],
    },
    Topic {
        category: PRODUCTS_CAT,
        slots: &[S::Product, S::Color],
        groups: &[],
        title: "Restocking the {product} in {color}",
        questions: &[
            "when is the {product} in {color} back in stock",
            "restock date for the {color} {product}",
            "notify me when the {product} in {color} is available",
            "is the {color} {product} sold out for good",
            "pre-order the {product} in {color}",
        ],
        opening: "Popular colours such as {color} sell out quickly, and we restock the {product} several times a season.",
        tags: &["stock", "restock", "back-in-stock"],
        pages: &["/products/{product_slug}*"],
    },
    Topic {
        category: SIZING,
        slots: &[S::Brand, S::Product],
        groups: &[Apparel, Footwear],
        title: "{brand} {product} size guide",
        questions: &[
            "what size {brand} {product} should I buy",
            "does the {brand} {product} run small",
            "{brand} {product} measurements in cm",
            "between two sizes for the {brand} {product}",
            "{brand} {product} fit compared to other brands",
        ],
        opening: "The {brand} {product} follows standard EU sizing; most customers take their usual size.",
        tags: &["size-guide", "fit", "measurements"],
        pages: &["/products/{product_slug}*", "/size-guide*"],
    },
    Topic {
        category: SIZING,
        slots: &[S::Material, S::Product],
        groups: &[Apparel, Footwear],
        title: "Fit of {a_product} made of {material}",
        questions: &[
            "does {a_product} made of {material} shrink",
            "will my {material} {product} stretch",
            "should I size up in {material} {product}",
            "my {material} {product} feels tight",
            "{material} {product} sizing advice",
        ],
        opening: "{material} behaves differently from other fabrics, so {a_product} made of it can fit a little differently after the first days of wear.",
        tags: &["fit", "materials", "sizing"],
        pages: &["/products/{product_slug}*", "/size-guide*"],
    },
    Topic {
        category: CARE,
        slots: &[S::Material, S::Product],
        groups: &[Apparel, Footwear, Accessories, Home],
        title: "Caring for {a_product} made of {material}",
        questions: &[
            "how do I wash {a_product} made of {material}",
            "can my {material} {product} go in the dryer",
            "{material} {product} care instructions",
            "remove a stain from my {material} {product}",
            "how to store my {material} {product}",
        ],
        opening: "With a little care, {a_product} made of {material} keeps its shape and colour for years.",
        tags: &["care", "washing", "materials"],
        pages: &["/products/{product_slug}*", "/care*"],
    },
    Topic {
        category: WARRANTY,
        slots: &[S::Brand, S::Product],
        groups: &[Electronics, Outdoor, Home, Footwear, Accessories],
        title: "{brand} {product} warranty",
        questions: &[
            "is my {brand} {product} under warranty",
            "how long is the warranty on the {brand} {product}",
            "warranty claim for my {brand} {product}",
            "repair service for the {brand} {product}",
            "{brand} {product} guarantee after one year",
        ],
        opening: "Every {brand} {product} comes with a two-year warranty against manufacturing defects, counted from the delivery date.",
        tags: &["warranty", "repair", "guarantee"],
        pages: &["/warranty*", "/products/{product_slug}*"],
    },
    Topic {
        category: PROMOTIONS,
        slots: &[S::Brand, S::Country],
        groups: &[],
        title: "{brand} discount codes in {country}",
        questions: &[
            "does my discount code work on {brand} in {country}",
            "{brand} promo code rejected in {country}",
            "student discount on {brand} in {country}",
            "{brand} sale prices in {country}",
            "combine two codes on {brand} items in {country}",
        ],
        opening: "Discount codes work on most {brand} products for orders delivered to {country}, with a few exceptions.",
        tags: &["discount", "promo-code", "sale"],
        pages: &["/checkout*", "/cart*"],
    },
    Topic {
        category: PROMOTIONS,
        slots: &[S::Product, S::Country],
        groups: &[],
        title: "Sending {a_product} as a gift to {country}",
        questions: &[
            "can I send {a_product} as a gift to {country}",
            "gift wrap {a_product} shipped to {country}",
            "add a gift message to {a_product} for {country}",
            "hide the price on {a_product} sent to {country}",
            "gift receipt for {a_product} going to {country}",
        ],
        opening: "You can send {a_product} as a gift to {country}: enter the recipient's address at checkout and tick the gift option.",
        tags: &["gift", "gift-wrap", "international"],
        pages: &["/checkout*", "/products/{product_slug}*"],
    },
    Topic {
        category: ORDERS,
        slots: &[S::Carrier, S::State],
        groups: &[],
        title: "{carrier} notifications for orders that are {state}",
        questions: &[
            "{carrier} email says {state}",
            "no {carrier} text message while my order is {state}",
            "turn off {carrier} updates for orders that are {state}",
            "{carrier} app shows {state} for my order",
            "why did {carrier} tell me my order is {state}",
        ],
        opening: "{carrier} sends its own emails and text messages, which can use other words than our order status {state}.",
        tags: &["notifications", "carrier", "order-status"],
        pages: &["/account/orders*"],
    },
];

/// Answer sentences by category; any placeholder may be used, because every article
/// has a value for every slot.
fn sentences(category: &str) -> &'static [&'static str] {
    match category {
        SHIPPING => &[
            "Standard delivery takes {days} working days, express delivery one to two.",
            "Orders over {amount} EUR ship free; below that, standard shipping costs {small} EUR.",
            "You can follow your parcel with the tracking link in your shipping confirmation email.",
            "If {carrier} cannot deliver, they leave a card and try again the next working day.",
            "Parcels to islands and remote areas can take one or two days longer.",
            "We do not ship to PO boxes or parcel lockers in every country; the checkout shows what is possible.",
            "During sales and in the weeks before Christmas, please allow {days} extra working days.",
            "Large orders may arrive in more than one parcel, each with its own tracking number.",
            "If the tracking has not changed for {days} working days, contact us and we open an investigation with {carrier}.",
            "Delivery times are estimates from the day your order ships, not from the day you order.",
            "You can choose a pick-up point at checkout if nobody is at home during the day.",
            "Orders to {country} are sent from our warehouse in Germany.",
        ],
        RETURNS => &[
            "Start your return in the returns portal with your order number and email address.",
            "Print the prepaid label or show the QR code at a {carrier} drop-off point.",
            "Refunds are issued within {days} working days after your return arrives at our warehouse.",
            "Items must be unworn, unwashed and have all original tags attached.",
            "Returns are free for customers in {country}; other countries pay a flat fee of {small} EUR.",
            "If you want another size or colour, choose exchange and we ship the new item as soon as the return is scanned.",
            "Please keep the drop-off receipt until the refund shows on your {payment} account.",
            "Final sale items, gift cards and personalised products cannot be returned.",
            "Pack the items securely, ideally in the original box, and cover any old barcodes.",
            "You get an email when your return arrives and another one when the refund has been issued.",
            "For a faulty item, add photos of the problem so our team can approve the claim quickly.",
            "Returns sent to our office address cannot be processed; always use the address on the label.",
        ],
        PAYMENTS_CAT => &[
            "We accept Visa, Mastercard, American Express, PayPal, Klarna, Apple Pay and Google Pay.",
            "All payments are processed securely; we never see or store your full card number.",
            "If a payment is declined, check the billing address and try again, or choose another method.",
            "A reservation on your {payment} account is released automatically within {days} working days if the order is cancelled.",
            "Prices are shown in your local currency; your bank may add a small conversion fee.",
            "With pay later, you have {days} days to pay after your order ships.",
            "Instalment plans are offered for baskets over {amount} EUR.",
            "You can pay one order with one method only; gift cards can be combined with any other method.",
            "Invoices are available in your account as PDF as soon as the order has shipped.",
            "If you were charged twice, one of the amounts is usually a reservation that disappears on its own.",
            "Business customers can ask for payment by bank transfer with an invoice.",
        ],
        ORDERS => &[
            "You can see the status of every order under Orders in your account.",
            "Orders can be changed or cancelled until they are ready to ship, usually within one hour of ordering.",
            "Once an order has shipped, you can still return the items after delivery.",
            "If your order is on hold, we are waiting for a payment confirmation or need to check the address.",
            "A partially shipped order means some items are on their way and the rest follow as soon as they are in stock.",
            "Orders returned to sender are refunded automatically once they are back in our warehouse.",
            "We send an email at every step, so please check your spam folder too.",
            "Orders placed as a guest can be tracked with the order number and email address.",
            "If an order shows delivered but you cannot find it, check with neighbours and the {carrier} pick-up point first.",
            "Our customer service team answers within {days} working days, usually much faster.",
            "You cannot add items to an order that has been placed, but you can place a second order.",
        ],
        PRODUCTS_CAT => &[
            "Sign up for a back-in-stock alert on the product page and we email you as soon as it is available.",
            "Restock dates depend on our suppliers, so we cannot always promise an exact day.",
            "Pre-orders are charged only when the item ships.",
            "Colours can look slightly different depending on your screen settings.",
            "Limited editions are produced once and are not restocked.",
            "Our stock levels are updated in real time, so an item in your basket is not reserved until you check out.",
            "Some sizes sell out faster than others; the product page shows which are available.",
            "Check our {brand} collection for similar items in {color}.",
            "Items shown as coming soon can be added to your wish list.",
            "We restock the most popular sizes first.",
        ],
        SIZING => &[
            "Measure your chest, waist and hips and compare them with the size chart on the product page.",
            "If you are between two sizes, take the larger one for a relaxed fit.",
            "Each product page lists the garment measurements and the model's height and size.",
            "Size {size} corresponds to our standard EU size chart.",
            "Shoes are measured in EU sizes; measure your foot in the evening, when it is largest.",
            "Natural fibres can relax a little with wear, so a snug fit at first is normal.",
            "Exchanges for another size are free within 30 days.",
            "Customer reviews often mention whether an item runs small or large.",
            "Kids sizes are based on height in centimetres.",
            "Our customer service team can help you choose a size if you send us your measurements.",
        ],
        CARE => &[
            "Always check the care label first; it has the most exact instructions for your item.",
            "Wash at {temp} degrees on a gentle programme and use a mild detergent.",
            "Do not tumble dry; dry flat, away from direct heat and sunlight.",
            "Treat stains as soon as possible with cold water and a little soap; do not rub.",
            "Store the item clean and dry, ideally in a breathable cotton bag.",
            "Leather and suede need a protective spray before the first wear.",
            "Do not use bleach or fabric softener, which damages the fibres.",
            "Airing is often enough between washes, which makes the item last longer.",
            "Iron on a low setting from the reverse side if needed.",
            "Wooden and cast iron kitchenware should be hand washed and dried straight away.",
        ],
        WARRANTY => &[
            "The warranty covers manufacturing defects, not normal wear and tear or accidental damage.",
            "To make a claim, send us your order number, a short description and photos of the defect.",
            "We repair the item, replace it, or refund it if neither is possible.",
            "Repairs usually take {days} working days plus shipping.",
            "Keep your order confirmation: it is your proof of purchase.",
            "Items bought from other retailers are covered by the manufacturer's warranty.",
            "Batteries are covered for one year and should keep at least 80 percent of their capacity.",
            "We cover the shipping costs for approved warranty claims.",
            "Outside the warranty, we offer paid repairs for many products at fair prices.",
            "Please do not open or repair the item yourself, as this can void the warranty.",
        ],
        _ => &[
            "Only one discount code can be used per order.",
            "Codes cannot be applied to gift cards or items that are already reduced.",
            "If a code does not work, check its expiry date and minimum order value of {amount} EUR.",
            "Gift wrapping costs {small} EUR and includes a card with your personal message.",
            "Gift orders contain no prices; the invoice is sent to your email address only.",
            "Students get {percent} percent off after verifying their status.",
            "Newsletter subscribers receive a welcome code for {percent} percent off their first order.",
            "A gift receipt lets the recipient exchange the item without seeing the price.",
            "Sale prices apply while stocks last and cannot be applied to past orders.",
            "Gift cards are valid for three years and can be used in every country we deliver to.",
        ],
    }
}

/// Sentences that fit any article.
const GENERAL: &[&str] = &[
    "You can find your order number in the confirmation email and under Orders in your account.",
    "Our customer service team is available Monday to Friday from 9 am to 6 pm.",
    "If anything is unclear, reply to your order confirmation and we will get back to you.",
    "This also applies to orders placed in our app.",
    "Orders from {brand} follow the same rules as every other brand in our store.",
    "These rules apply to orders delivered to {country} as well.",
    "Please have your order number ready when you contact us; it speeds things up.",
    "We update these details regularly, so the checkout always shows the current options.",
];

// ---------------------------------------------------------------------------------------
// Articles

/// One generated article.
#[derive(Debug, Clone, PartialEq)]
struct Article {
    id: String,
    title: String,
    category: &'static str,
    tags: Vec<String>,
    questions: Vec<String>,
    pages: Vec<String>,
    body: String,
}

impl Article {
    fn to_markdown(&self) -> String {
        let mut out = String::from("---\n");
        let _ = writeln!(out, "id: {}", self.id);
        let _ = writeln!(out, "title: {}", yaml_string(&self.title));
        let _ = writeln!(out, "category: {}", yaml_string(self.category));
        let _ = writeln!(out, "tags: [{}]", self.tags.join(", "));
        out.push_str("questions:\n");
        for q in &self.questions {
            let _ = writeln!(out, "  - {}", yaml_string(q));
        }
        if !self.pages.is_empty() {
            let pages: Vec<String> = self.pages.iter().map(|p| yaml_string(p)).collect();
            let _ = writeln!(out, "pages: [{}]", pages.join(", "));
        }
        out.push_str("---\n");
        out.push_str(&self.body);
        out
    }
}

fn yaml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The values one article is about.
#[derive(Debug, Clone, Copy)]
struct Fill {
    product: &'static Product,
    brand: &'static str,
    color: &'static str,
    material: &'static str,
    country: &'static str,
    carrier: &'static str,
    payment: &'static str,
    state: &'static str,
    size: &'static str,
}

impl Fill {
    fn draw(rng: &mut Rng, groups: &[Group]) -> Self {
        let product = loop {
            let p = rng.pick(PRODUCTS);
            if groups.is_empty() || groups.contains(&p.group) {
                break p;
            }
        };
        Self {
            product,
            brand: *rng.pick(BRANDS),
            color: *rng.pick(COLORS),
            material: *rng.pick(materials(product.group)),
            country: *rng.pick(COUNTRIES),
            carrier: *rng.pick(CARRIERS),
            payment: *rng.pick(PAYMENTS),
            state: *rng.pick(STATES),
            size: *rng.pick(SIZES),
        }
    }

    fn value(&self, slot: Slot) -> &'static str {
        match slot {
            Slot::Product => self.product.name,
            Slot::Brand => self.brand,
            Slot::Color => self.color,
            Slot::Material => self.material,
            Slot::Country => self.country,
            Slot::Carrier => self.carrier,
            Slot::Payment => self.payment,
            Slot::State => self.state,
        }
    }

    fn a_product(&self) -> String {
        let name = self.product.name;
        if self.product.pair {
            format!("a pair of {name}")
        } else if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            format!("an {name}")
        } else {
            format!("a {name}")
        }
    }

    /// `template` with every placeholder replaced. Numbers come from `rng`, so the same
    /// sentence reads differently across articles.
    fn apply(&self, template: &str, rng: &mut Rng) -> String {
        let mut s = template
            .replace("{a_product}", &self.a_product())
            .replace("{product_slug}", &slug(self.product.name))
            .replace("{product}", self.product.name)
            .replace("{brand}", self.brand)
            .replace("{color}", self.color)
            .replace("{material}", self.material)
            .replace("{country}", self.country)
            .replace("{carrier}", self.carrier)
            .replace("{payment}", self.payment)
            .replace("{state}", self.state)
            .replace("{size}", self.size);
        for (key, choices) in [
            ("{days}", &["2", "3", "5", "7", "10", "14"][..]),
            ("{amount}", &["49", "60", "75", "100", "150"][..]),
            ("{small}", &["3.95", "4.95", "5.90", "6.50"][..]),
            ("{percent}", &["10", "15", "20"][..]),
            ("{temp}", &["20", "30", "40"][..]),
        ] {
            while s.contains(key) {
                let value = rng.pick(choices);
                s = s.replacen(key, value, 1);
            }
        }
        s
    }
}

/// Lower-case ASCII words joined by `-`.
fn slug(s: &str) -> String {
    s.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// How `faq-indexer` compares questions: case, spacing and trailing `?!.` do not count.
fn question_key(q: &str) -> String {
    q.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(['?', '!', '.'])
        .to_lowercase()
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

const MIN_WORDS: usize = 80;
const MAX_WORDS: usize = 250;

fn word_count(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// An answer of 80–250 words: the topic's opening, then category and general sentences
/// in paragraphs, sometimes a list of steps, always a closing line.
fn body(topic: &Topic, fill: &Fill, rng: &mut Rng) -> String {
    const CLOSING: &str =
        "Still need help? [Contact our customer service](/contact) and we will be happy to help.";
    let target = rng.between(MIN_WORDS, MAX_WORDS);
    let mut pool: Vec<&str> = sentences(topic.category)
        .iter()
        .chain(GENERAL)
        .copied()
        .collect();
    rng.shuffle(&mut pool);

    let opening = capitalize(&fill.apply(topic.opening, rng));
    let mut words = word_count(&opening) + word_count(CLOSING);
    let mut paragraphs = vec![opening];
    let mut current: Vec<String> = Vec::new();
    // Step lists belong to how-to answers.
    let how_to = [RETURNS, ORDERS, WARRANTY].contains(&topic.category);
    let list_at = (how_to && rng.chance(40)).then(|| rng.between(1, 3));
    for template in pool {
        let sentence = capitalize(&fill.apply(template, rng));
        let n = word_count(&sentence);
        if words >= target || words + n > MAX_WORDS {
            break;
        }
        words += n;
        current.push(sentence);
        if current.len() >= rng.between(2, 4) {
            paragraphs.push(current.join(" "));
            current.clear();
            if list_at == Some(paragraphs.len()) {
                let steps = [
                    "Sign in to your account or open your order confirmation email.",
                    "Choose the order and the items concerned.",
                    "Follow the steps on screen and confirm.",
                ];
                let list = steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("{}. {s}", i + 1))
                    .collect::<Vec<_>>()
                    .join("\n");
                let n = word_count(&list);
                if words + n <= MAX_WORDS {
                    words += n;
                    paragraphs.push(list);
                }
            }
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    paragraphs.push(CLOSING.to_string());
    let mut text = paragraphs.join("\n\n");
    text.push('\n');
    text
}

/// The corpus: `n` articles with distinct ids, titles and questions.
fn generate(n: usize, seed: u64) -> Result<Vec<Article>> {
    /// Draws per article before giving up: the template space holds well over 10,000
    /// articles, so this only trips for sizes far beyond it.
    const ATTEMPTS: usize = 100_000;
    let mut rng = Rng::new(seed);
    let mut titles = HashSet::new();
    let mut ids = HashSet::new();
    let mut questions = HashSet::new();
    let mut out = Vec::with_capacity(n);
    'articles: for _ in 0..n {
        for _ in 0..ATTEMPTS {
            let topic = rng.pick(TOPICS);
            let fill = Fill::draw(&mut rng, topic.groups);
            let title = capitalize(&fill.apply(topic.title, &mut rng));
            if titles.contains(&title) {
                continue;
            }
            let mut templates: Vec<&str> = topic.questions.to_vec();
            rng.shuffle(&mut templates);
            templates.truncate(rng.between(3, 5));
            let qs: Vec<String> = templates.iter().map(|t| fill.apply(t, &mut rng)).collect();
            if qs.iter().any(|q| questions.contains(&question_key(q))) {
                continue;
            }
            questions.extend(qs.iter().map(|q| question_key(q)));
            titles.insert(title.clone());

            let base = slug(&title);
            let mut id = base.clone();
            let mut k = 2;
            while !ids.insert(id.clone()) {
                id = format!("{base}-{k}");
                k += 1;
            }
            let mut tags: Vec<String> = topic.tags.iter().map(|t| t.to_string()).collect();
            // Tags name what the article is about, as an editor would tag it.
            tags.extend(topic.slots.iter().map(|s| slug(fill.value(*s))));
            rng.shuffle(&mut tags);
            tags.truncate(rng.between(2, 4));
            let pages = if rng.chance(40) {
                let mut pages: Vec<String> = topic
                    .pages
                    .iter()
                    .map(|p| fill.apply(p, &mut rng))
                    .collect();
                pages.truncate(rng.between(1, 2));
                pages
            } else {
                Vec::new()
            };
            let body = body(topic, &fill, &mut rng);
            out.push(Article {
                id,
                title,
                category: topic.category,
                tags,
                questions: qs,
                pages,
                body,
            });
            continue 'articles;
        }
        bail!(
            "could not find a new article after {} were generated; the templates cannot make {n} distinct articles",
            out.len()
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs of the reference implementation for seed 0.
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(rng.next_u64(), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn same_seed_same_sequence_other_seed_other_sequence() {
        let draw = |seed| {
            let mut rng = Rng::new(seed);
            (0..100).map(|_| rng.below(1000)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn bounded_draws_stay_in_range_and_cover_it() {
        let mut rng = Rng::new(42);
        let mut seen = [false; 6];
        for _ in 0..1000 {
            let v = rng.between(3, 8);
            assert!((3..=8).contains(&v));
            seen[v - 3] = true;
        }
        assert!(seen.iter().all(|s| *s), "every value in 3..=8 drawn");
    }

    #[test]
    fn corpus_is_deterministic() {
        let a = generate(200, 1).unwrap();
        let b = generate(200, 1).unwrap();
        assert_eq!(a, b);
        let c = generate(200, 2).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn articles_are_distinct_and_well_formed() {
        let articles = generate(3000, DEFAULT_SEED).unwrap();
        let mut ids = HashSet::new();
        let mut questions = HashSet::new();
        for a in &articles {
            assert!(ids.insert(a.id.clone()), "duplicate id {}", a.id);
            assert!((3..=5).contains(&a.questions.len()), "{}", a.id);
            for q in &a.questions {
                assert!(questions.insert(question_key(q)), "repeated question {q}");
            }
            let words = word_count(&a.body);
            assert!(
                (MIN_WORDS..=MAX_WORDS).contains(&words),
                "{}: {words} words",
                a.id
            );
            let md = a.to_markdown();
            assert!(!md.contains('{'), "unfilled placeholder in {}:\n{md}", a.id);
            assert!((2..=4).contains(&a.tags.len()));
        }
    }

    #[test]
    fn every_title_and_question_names_all_slots_of_its_topic() {
        for t in TOPICS {
            assert!(t.questions.len() >= 5, "{}", t.title);
            for template in std::iter::once(&t.title).chain(t.questions) {
                for slot in t.slots {
                    assert!(
                        slot.placeholders().iter().any(|p| template.contains(p)),
                        "`{template}` does not name {slot:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn ten_thousand_articles_fit_the_templates() {
        assert_eq!(generate(10_000, DEFAULT_SEED).unwrap().len(), 10_000);
    }

    #[test]
    fn articles_and_pairs() {
        let mut fill = Fill::draw(&mut Rng::new(0), &[]);
        fill.product = &PRODUCTS[0];
        assert_eq!(fill.a_product(), "a rain jacket");
        fill.product = PRODUCTS.iter().find(|p| p.name == "insulated mug").unwrap();
        assert_eq!(fill.a_product(), "an insulated mug");
        fill.product = PRODUCTS.iter().find(|p| p.pair).unwrap();
        assert!(fill.a_product().starts_with("a pair of "));
    }
}
