//! The content-gaps report's two charts (sessions per day; self-service and escalation
//! rates per day), drawn by plotters into SVG on the server, with the days added up
//! across languages: the agent page shows them as images
//! (`GET /v1/reports/searches/chart/{rates|sessions}.svg`). Drawn here rather than in
//! the page because plotters measures text in a browser by styling an element, which
//! the agent page's strict CSP (rightly) refuses; here it estimates text from the font
//! size. Only dates and fixed words are drawn: no shopper's text reaches an SVG.

use plotters::prelude::*;
use shopdesk_wire::gaps::{Day, Rates};

/// One day of the period, every language together.
#[derive(Debug, Clone, PartialEq)]
pub struct DayTotal {
    /// `2026-12-07`.
    pub day: String,
    pub rates: Rates,
}

/// The report's days (one row per day and language, oldest first) added up per day.
pub fn per_day(days: &[Day]) -> Vec<DayTotal> {
    let mut out: Vec<DayTotal> = Vec::new();
    for d in days {
        let r = &d.rates;
        match out.last_mut() {
            Some(last) if last.day == d.day => {
                let t = &last.rates;
                last.rates = Rates::of(
                    t.sessions + r.sessions,
                    t.self_served + r.self_served,
                    t.escalated + r.escalated,
                );
            }
            _ => out.push(DayTotal {
                day: d.day.clone(),
                rates: Rates::of(r.sessions, r.self_served, r.escalated),
            }),
        }
    }
    out
}

const WIDTH: u32 = 640;
const HEIGHT: u32 = 240;
/// Brand teal and a warm contrast (both reach 3:1 on white, for graphics).
const SELF_SERVED: RGBColor = RGBColor(0x0f, 0x5f, 0x59);
const ESCALATED: RGBColor = RGBColor(0xb3, 0x41, 0x00);

/// `2026-12-07` as `12-07` under the axis.
fn short(day: &str) -> String {
    day.get(5..).unwrap_or(day).to_string()
}

fn label(days: &[DayTotal], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 0.01 || i < 0.0 {
        return String::new();
    }
    days.get(i as usize)
        .map(|d| short(&d.day))
        .unwrap_or_default()
}

/// Search sessions per day, as bars.
pub fn sessions_chart(days: &[DayTotal]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let most = days
            .iter()
            .map(|d| d.rates.sessions)
            .max()
            .unwrap_or(0)
            .max(1);
        let n = days.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..most as f64 * 1.1)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(days.len().min(10))
            .x_label_formatter(&|x| label(days, *x))
            .y_desc("sessions")
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(days.iter().enumerate().map(|(i, d)| {
                let x = i as f64;
                Rectangle::new(
                    [(x - 0.35, 0.0), (x + 0.35, d.rates.sessions as f64)],
                    SELF_SERVED.filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// The self-service and escalation rates per day, as two lines with a legend.
pub fn rates_chart(days: &[DayTotal]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let n = days.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..100.0)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(days.len().min(10))
            .x_label_formatter(&|x| label(days, *x))
            .y_label_formatter(&|y| format!("{y:.0} %"))
            .draw()
            .map_err(|e| e.to_string())?;
        let lines = [
            (
                "self-served",
                SELF_SERVED,
                days.iter()
                    .map(|d| d.rates.self_service_percent)
                    .collect::<Vec<_>>(),
            ),
            (
                "asked a person",
                ESCALATED,
                days.iter().map(|d| d.rates.escalation_percent).collect(),
            ),
        ];
        for (name, colour, values) in lines {
            let points: Vec<(f64, f64)> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2))
                });
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, colour.filled())),
                )
                .map_err(|e| e.to_string())?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: &str, locale: &str, sessions: i64, served: i64, escalated: i64) -> Day {
        Day {
            day: day.into(),
            locale: locale.into(),
            rates: Rates::of(sessions, served, escalated),
        }
    }

    #[test]
    fn languages_are_added_up_per_day() {
        let days = per_day(&[
            day("2026-12-01", "de", 1, 1, 0),
            day("2026-12-01", "en", 3, 0, 2),
            day("2026-12-02", "en", 2, 1, 0),
        ]);
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].rates, Rates::of(4, 1, 2));
        assert_eq!(days[0].rates.self_service_percent, Some(25.0));
        assert_eq!(days[1].day, "2026-12-02");
    }

    #[test]
    fn the_charts_are_svg_with_a_mark_per_day_and_a_legend() {
        let days = per_day(&[
            day("2026-12-01", "en", 4, 1, 2),
            day("2026-12-02", "en", 2, 1, 0),
            day("2026-12-03", "en", 0, 0, 0),
        ]);
        let bars = sessions_chart(&days).unwrap();
        assert!(bars.starts_with("<svg"), "{bars}");
        assert!(bars.contains("12-02"), "days label the axis");
        let rates = rates_chart(&days).unwrap();
        assert!(rates.contains("self-served") && rates.contains("asked a person"));
        // A day without sessions has no rate: two points per line, not three.
        assert_eq!(rates.matches("<circle").count(), 4, "{rates}");
        assert!(
            sessions_chart(&[]).is_ok() && rates_chart(&[]).is_ok(),
            "an empty period draws"
        );
    }
}
