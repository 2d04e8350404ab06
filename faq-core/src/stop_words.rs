//! Stop words: words too common to tell articles apart, dropped before ranking.
//!
//! The German, French, Spanish and Russian lists are the Snowball project's, as tantivy
//! ships them. They live here because tantivy chooses its list at run time, which linked
//! all twelve of its languages into the browser module; each locale names its own list
//! below, so only these five are compiled in. Space-separated text rather than arrays of
//! strings: a tenth of the bytes in WebAssembly, and as easy to read.
//!
//! The Snowball lists carry this licence:
//!
//! These stop word lists are from the Snowball project (https://snowballstem.org/)
//! which carries the following copyright and license:
//!
//! Copyright (c) 2001, Dr Martin Porter
//! Copyright (c) 2004,2005, Richard Boulton
//! Copyright (c) 2013, Yoshiki Shibukawa
//! Copyright (c) 2006,2007,2009,2010,2011,2014-2019, Olly Betts
//! All rights reserved.
//!
//! Redistribution and use in source and binary forms, with or without
//! modification, are permitted provided that the following conditions
//! are met:
//!
//!   1. Redistributions of source code must retain the above copyright notice,
//!      this list of conditions and the following disclaimer.
//!   2. Redistributions in binary form must reproduce the above copyright notice,
//!      this list of conditions and the following disclaimer in the documentation
//!      and/or other materials provided with the distribution.
//!   3. Neither the name of the Snowball project nor the names of its contributors
//!      may be used to endorse or promote products derived from this software
//!      without specific prior written permission.
//!
//! THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
//! ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
//! WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
//! DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR CONTRIBUTORS BE LIABLE FOR
//! ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES
//! (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES;
//! LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON
//! ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
//! (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
//! SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

use crate::Locale;

/// The stop words of `locale`.
pub(crate) fn of(locale: Locale) -> impl Iterator<Item = &'static str> {
    let list = match locale {
        Locale::En => ENGLISH,
        Locale::De => GERMAN,
        Locale::Fr => FRENCH,
        Locale::Es => SPANISH,
        Locale::Ru => RUSSIAN,
    };
    list.split_ascii_whitespace()
}

/// Snowball's English list without the words that change what a shopper asks ("not
/// received", "cancel after shipping"). tantivy's default English list is Lucene's, which
/// keeps "my", "how", "do" and so lets every "how do I" question match.
const ENGLISH: &str = "\
    a about above am an and any are as at be because been being both but by can could \
    did do does doing each few for from further had has have having he her here hers \
    herself him himself his how i if in into is it its itself just me more most my \
    myself of on once or other ought our ours ourselves own please same she should so \
    some such than that the their theirs them themselves then there these they this \
    those through to too until very was we were what when where which while who whom why \
    will with would you your yours yourself yourselves
";

/// Snowball's German list.
const GERMAN: &str = "\
    aber alle allem allen aller alles als also am an ander andere anderem anderen \
    anderer anderes anderm andern anderr anders auch auf aus bei bin bis bist da damit \
    dann der den des dem die das daß derselbe derselben denselben desselben demselben \
    dieselbe dieselben dasselbe dazu dein deine deinem deinen deiner deines denn derer \
    dessen dich dir du dies diese diesem diesen dieser dieses doch dort durch ein eine \
    einem einen einer eines einig einige einigem einigen einiger einiges einmal er ihn \
    ihm es etwas euer eure eurem euren eurer eures für gegen gewesen hab habe haben hat \
    hatte hatten hier hin hinter ich mich mir ihr ihre ihrem ihren ihrer ihres euch im \
    in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt \
    kann kein keine keinem keinen keiner keines können könnte machen man manche manchem \
    manchen mancher manches mein meine meinem meinen meiner meines mit muss musste nach \
    nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner seines \
    selbst sich sie ihnen sind so solche solchem solchen solcher solches soll sollte \
    sondern sonst über um und uns unse unsem unsen unser unses unter viel vom von vor \
    während war waren warst was weg weil weiter welche welchem welchen welcher welches \
    wenn werde werden wie wieder will wir wird wirst wo wollen wollte würde würden zu \
    zum zur zwar zwischen
";

/// Snowball's French list.
const FRENCH: &str = "\
    au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me \
    même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses sur ta te \
    tes toi ton tu un une vos votre vous c d j l à m n s t y étée étées étant suis es \
    êtes sont serai seras sera serons serez seront serais serait serions seriez seraient \
    étais était étions étiez étaient fus fut fûmes fûtes furent sois soit soyons soyez \
    soient fusse fusses fussions fussiez fussent ayant eu eue eues eus ai avons avez ont \
    aurai aurons aurez auront aurais aurait aurions auriez auraient avais avait aviez \
    avaient eut eûmes eûtes eurent aie aies ait ayons ayez aient eusse eusses eût \
    eussions eussiez eussent ceci cela celà cet cette ici ils les leurs quel quels \
    quelle quelles sans soi
";

/// Snowball's Spanish list.
const SPANISH: &str = "\
    de la que el en y a los del se las por un para con no una su al lo como más pero sus \
    le ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde \
    quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto \
    mí antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada \
    muchos cual poco ella estar estas algunas algo nosotros mi mis tú te ti tu tus ellas \
    nosotras vosotros vosotras os mío mía míos mías tuyo tuya tuyos tuyas suyo suya \
    suyos suyas nuestro nuestra nuestros nuestras vuestro vuestra vuestros vuestras esos \
    esas estoy estás está estamos estáis están esté estés estemos estéis estén estaré \
    estarás estará estaremos estaréis estarán estaría estarías estaríamos estaríais \
    estarían estaba estabas estábamos estabais estaban estuve estuviste estuvo estuvimos \
    estuvisteis estuvieron estuviera estuvieras estuviéramos estuvierais estuvieran \
    estuviese estuvieses estuviésemos estuvieseis estuviesen estando estado estada \
    estados estadas estad he has ha hemos habéis han haya hayas hayamos hayáis hayan \
    habré habrás habrá habremos habréis habrán habría habrías habríamos habríais habrían \
    había habías habíamos habíais habían hube hubiste hubo hubimos hubisteis hubieron \
    hubiera hubieras hubiéramos hubierais hubieran hubiese hubieses hubiésemos hubieseis \
    hubiesen habiendo habido habida habidos habidas soy eres es somos sois son sea seas \
    seamos seáis sean seré serás será seremos seréis serán sería serías seríamos seríais \
    serían era eras éramos erais eran fui fuiste fue fuimos fuisteis fueron fuera fueras \
    fuéramos fuerais fueran fuese fueses fuésemos fueseis fuesen siendo sido tengo \
    tienes tiene tenemos tenéis tienen tenga tengas tengamos tengáis tengan tendré \
    tendrás tendrá tendremos tendréis tendrán tendría tendrías tendríamos tendríais \
    tendrían tenía tenías teníamos teníais tenían tuve tuviste tuvo tuvimos tuvisteis \
    tuvieron tuviera tuvieras tuviéramos tuvierais tuvieran tuviese tuvieses tuviésemos \
    tuvieseis tuviesen teniendo tenido tenida tenidos tenidas tened
";

/// Snowball's Russian list.
const RUSSIAN: &str = "\
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по \
    только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если \
    уже или ни быть был него до вас нибудь опять уж вам сказал ведь там потом себя \
    ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто \
    человек чего раз тоже себе под жизнь будет ж тогда кто этот говорил того потому \
    этого какой совсем ним здесь этом один почти мой тем чтобы нее кажется сейчас были \
    куда зачем сказать всех никогда сегодня можно при наконец два об другой хоть после \
    над больше тот через эти нас про всего них какая много разве сказала три эту моя \
    впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда \
    конечно всю между
";

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{Language, StopWordFilter, TextAnalyzer, WhitespaceTokenizer};

    use super::*;

    fn kept(filter: StopWordFilter, text: &str) -> Vec<String> {
        let mut analyzer = TextAnalyzer::builder(WhitespaceTokenizer::default())
            .filter(filter)
            .build();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// The lists must stay tantivy's (Snowball's): bundles built before they moved here
    /// were analyzed with tantivy's, and queries must drop the same words.
    #[test]
    fn non_english_lists_equal_tantivys() {
        let every_word = Locale::ALL
            .iter()
            .flat_map(|&l| of(l))
            .collect::<Vec<_>>()
            .join(" ");
        for (locale, language) in [
            (Locale::De, Language::German),
            (Locale::Fr, Language::French),
            (Locale::Es, Language::Spanish),
            (Locale::Ru, Language::Russian),
        ] {
            let ours = StopWordFilter::remove(of(locale).map(str::to_string));
            let theirs = StopWordFilter::new(language).unwrap();
            assert_eq!(
                kept(ours, &every_word),
                kept(theirs, &every_word),
                "{locale:?}"
            );
            assert!(of(locale).count() > 100, "{locale:?}");
        }
    }

    #[test]
    fn english_keeps_the_words_shoppers_ask_with() {
        let words: Vec<_> = of(Locale::En).collect();
        for kept in ["not", "no", "after", "before", "off", "out"] {
            assert!(!words.contains(&kept), "{kept}");
        }
        for dropped in ["the", "a", "and", "is", "of", "how", "my"] {
            assert!(words.contains(&dropped), "{dropped}");
        }
    }
}
