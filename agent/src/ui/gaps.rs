//! "Search gaps", for admins: what shoppers could not find, what they read before asking
//! a person, which answers they voted unhelpful, and how often the search answered them,
//! over the last days, with the server's charts (plotters SVG, as images) and a CSV
//! download of every search. What `faq-indexer gaps` prints, for an admin in the
//! browser.

use leptos::prelude::*;
use shopdesk_wire::gaps::{GapsReport, QueryCount};

use crate::session::Session;

/// The periods offered, in days; the first is the default.
const PERIODS: [(u32, &str); 3] = [
    (30, "Last 30 days"),
    (7, "Last 7 days"),
    (90, "Last 90 days"),
];

/// The start of a period of `days` days ending now, as RFC 3339.
fn since(days: u32) -> String {
    let ms = js_sys::Date::now() - f64::from(days) * 86_400_000.0;
    String::from(js_sys::Date::new(&ms.into()).to_iso_string())
}

fn percent(p: Option<f64>) -> String {
    p.map_or("–".into(), |p| format!("{p:.1} %"))
}

#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn SearchGaps() -> impl IntoView {
    let session = expect_context::<Session>();
    let days = RwSignal::new(PERIODS[0].0);
    let report = RwSignal::new(None::<GapsReport>);
    let error = RwSignal::new(None::<String>);
    // One start for the report, its charts and the CSV of one choice of period.
    let from = Memo::new(move |_| String::from(js_sys::encode_uri_component(&since(days.get()))));
    Effect::new(move |_| session.load_gaps(since(days.get()), report, error));
    let csv = move || format!("/v1/reports/searches?format=csv&from={}", from.get());
    view! {
        <section class="gaps" aria-labelledby="gaps-heading" data-testid="agent-gaps">
            <h2 id="gaps-heading">"Search gaps"</h2>
            <div class="gaps-controls">
                <label for="gaps-period">"Period"</label>
                <select id="gaps-period" data-testid="gaps-period"
                    on:change=move |e| {
                        if let Ok(d) = event_target_value(&e).parse() {
                            days.set(d);
                        }
                    }>
                    {PERIODS.iter().map(|(d, name)| view! { <option value=d.to_string()>{*name}</option> }).collect_view()}
                </select>
                <a href=csv download="shopdesk-searches.csv" data-testid="gaps-csv">"Download every search (CSV)"</a>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || report.get().map(|r| view! { <Report report=r from=from.get_untracked() /> })}
        </section>
    }
}

#[component]
fn Report(report: GapsReport, from: String) -> impl IntoView {
    let t = report.totals.clone();
    if t.sessions == 0 {
        return view! {
            <p data-testid="gaps-empty">
                "No search sessions in this period. Shoppers' searches appear here once the widget's analytics are on (they are by default) and, with consentRequired, once shoppers consent."
            </p>
        }
        .into_any();
    }
    let chart = |name: &str| format!("/v1/reports/searches/chart/{name}.svg?from={from}");
    let rates_label = format!(
        "Self-served {} and asked a person {} of {} search sessions",
        percent(t.self_service_percent),
        percent(t.escalation_percent),
        t.sessions
    );
    view! {
        <p class="gaps-summary" data-testid="gaps-summary">
            <strong>{t.sessions}</strong>" search sessions: "
            <strong>{percent(t.self_service_percent)}</strong>" self-served (read an article, did not ask a person), "
            <strong>{percent(t.escalation_percent)}</strong>" asked a person."
        </p>
        <div class="gaps-charts">
            <figure data-testid="gaps-chart-rates">
                <figcaption>"Self-service and escalation rate per day (UTC)"</figcaption>
                <img src=chart("rates") alt=rates_label width="640" height="240" />
            </figure>
            <figure data-testid="gaps-chart-sessions">
                <figcaption>"Search sessions per day (UTC)"</figcaption>
                <img src=chart("sessions") alt="Search sessions per day, as bars" width="640" height="240" />
            </figure>
        </div>
        <Queries title="Searches that found nothing" hint="Write an article, or add the shoppers' word to synonyms.yaml." testid="gaps-no-results" rows=report.no_results />
        <Queries title="Searches followed by asking a person" hint="" testid="gaps-escalated-searches" rows=report.escalated_searches />
        <h3>"Articles read before asking a person"</h3>
        {if report.escalated_articles.is_empty() {
            view! { <p>"None in this period."</p> }.into_any()
        } else {
            view! {
                <table data-testid="gaps-escalated-articles">
                    <thead><tr><th scope="col">"Article"</th><th scope="col">"Readers"</th><th scope="col">"Then asked a person"</th></tr></thead>
                    <tbody>
                        {report.escalated_articles.into_iter().map(|a| view! {
                            <tr><td>{a.article_id}</td><td>{a.readers}</td><td>{a.escalated}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <h3>"Articles voted not helpful"</h3>
        {if report.unhelpful_articles.is_empty() {
            view! { <p>"None in this period."</p> }.into_any()
        } else {
            view! {
                <table data-testid="gaps-unhelpful">
                    <thead><tr><th scope="col">"Article"</th><th scope="col">"Not helpful"</th><th scope="col">"Helpful"</th><th scope="col">"Latest comments"</th></tr></thead>
                    <tbody>
                        {report.unhelpful_articles.into_iter().map(|a| view! {
                            <tr>
                                <td>{a.article_id}</td><td>{a.not_helpful}</td><td>{a.helpful}</td>
                                <td><ul class="comments">{a.comments.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
    .into_any()
}

/// A list of queries with how many shoppers searched each.
#[component]
fn Queries(
    title: &'static str,
    hint: &'static str,
    testid: &'static str,
    rows: Vec<QueryCount>,
) -> impl IntoView {
    view! {
        <h3>{title}</h3>
        {(!hint.is_empty()).then(|| view! { <p class="hint">{hint}</p> })}
        {if rows.is_empty() {
            view! { <p>"None in this period."</p> }.into_any()
        } else {
            view! {
                <table data-testid=testid>
                    <thead><tr><th scope="col">"Search"</th><th scope="col">"Language"</th><th scope="col">"Shoppers"</th><th scope="col">"Searches"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|q| view! {
                            <tr><td>{q.query}</td><td>{q.locale}</td><td>{q.shoppers}</td><td>{q.searches}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
