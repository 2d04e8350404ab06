//! The team, for admins: every account, adding an agent, disabling or enabling one,
//! and a new password for one (their sessions end). What `shopdesk-server agent` does,
//! for an admin without a shell on the server.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use shopdesk_wire::agents::{AccountChange, AccountInfo, NewAgent, MIN_PASSWORD};

use crate::session::Session;

#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn Team() -> impl IntoView {
    let session = expect_context::<Session>();
    let accounts = RwSignal::new(Vec::<AccountInfo>::new());
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    session.load_accounts(accounts, error);
    let (name, email, role, password) = (
        NodeRef::<html::Input>::new(),
        NodeRef::<html::Input>::new(),
        NodeRef::<html::Select>::new(),
        NodeRef::<html::Input>::new(),
    );
    let add = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let (Some(n), Some(m), Some(r), Some(p)) = (
            name.get_untracked(),
            email.get_untracked(),
            role.get_untracked(),
            password.get_untracked(),
        ) else {
            return;
        };
        let new = NewAgent {
            name: n.value(),
            email: m.value(),
            role: Some(r.value()),
            password: p.value(),
        };
        let added = new.email.clone();
        notice.set(None);
        // The server's rule, said before anything is sent.
        if new.password.chars().count() < MIN_PASSWORD {
            error.set(Some(format!(
                "The password must have at least {MIN_PASSWORD} characters."
            )));
            return;
        }
        session.add_account(new, accounts, error, move || {
            n.set_value("");
            m.set_value("");
            p.set_value("");
            notice.set(Some(format!("{added} can sign in now.")));
        });
    };
    let me = move || {
        session
            .agent
            .with(|a| a.as_ref().map(|a| a.agent.id.clone()))
    };
    view! {
        <section class="team" aria-labelledby="team-heading" data-testid="agent-team">
            <h2 id="team-heading">"Agents"</h2>
            <table class="accounts">
                <thead>
                    <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Status"</th><th scope="col">"Change"</th></tr>
                </thead>
                <tbody>
                    <For each=move || accounts.get() key=|a| (a.id.clone(), a.disabled) let:account>
                        <AccountRow account=account accounts=accounts error=error notice=notice is_me=me() />
                    </For>
                </tbody>
            </table>
            <form class="account-add" on:submit=add>
                <h3>"Add an agent"</h3>
                <label for="team-name">"Name"</label>
                <input id="team-name" data-testid="team-name" autocomplete="off" node_ref=name />
                <label for="team-email">"Email"</label>
                <input id="team-email" type="email" data-testid="team-email" autocomplete="off" node_ref=email />
                <label for="team-role">"Role"</label>
                <select id="team-role" data-testid="team-role" node_ref=role>
                    <option value="agent">"Agent"</option>
                    <option value="admin">"Admin (manages agents, reads reports)"</option>
                </select>
                <label for="team-password">"Password"</label>
                <input id="team-password" type="password" data-testid="team-password" autocomplete="new-password" aria-describedby="team-password-hint" node_ref=password />
                <p id="team-password-hint" class="hint">"At least 10 characters. Give it to them in person or over a channel you trust."</p>
                <button type="submit" data-testid="team-add">"Add"</button>
            </form>
            <p class="notice" role="status" data-testid="team-notice">{move || notice.get()}</p>
            <p class="error" role="alert" data-testid="team-error">{move || error.get()}</p>
        </section>
    }
}

#[component]
fn AccountRow(
    account: AccountInfo,
    accounts: RwSignal<Vec<AccountInfo>>,
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    is_me: Option<String>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let mine = is_me.as_deref() == Some(account.id.as_str());
    let password = NodeRef::<html::Input>::new();
    let email = account.email.clone();
    let toggle = {
        let email = email.clone();
        let disabled = !account.disabled;
        move |_| {
            let change = AccountChange {
                email: email.clone(),
                disabled: Some(disabled),
                password: None,
            };
            notice.set(None);
            session.change_account(change, accounts, error, || {});
        }
    };
    let set_password = {
        let email = email.clone();
        move |e: ev::SubmitEvent| {
            e.prevent_default();
            let Some(field) = password.get_untracked() else {
                return;
            };
            if field.value().chars().count() < MIN_PASSWORD {
                error.set(Some(format!(
                    "The password must have at least {MIN_PASSWORD} characters."
                )));
                return;
            }
            let change = AccountChange {
                email: email.clone(),
                disabled: None,
                password: Some(field.value()),
            };
            let told = email.clone();
            notice.set(None);
            session.change_account(change, accounts, error, move || {
                field.set_value("");
                notice.set(Some(format!(
                    "{told} has a new password; their sessions ended."
                )));
            });
        }
    };
    let field_id = format!("team-new-password-{}", account.id);
    view! {
        <tr data-testid="team-account" data-email=account.email.clone()>
            <td>{account.name.clone()}</td>
            <td>{account.email.clone()}</td>
            <td>{account.role.clone()}</td>
            <td data-testid="team-status">{if account.disabled { "Disabled" } else { "Active" }}</td>
            <td class="account-actions">
                {(!mine).then(|| view! {
                    <button type="button" class="link" data-testid="team-toggle" on:click=toggle>
                        {if account.disabled { format!("Enable {}", account.name) } else { format!("Disable {}", account.name) }}
                    </button>
                })}
                <form class="inline" on:submit=set_password>
                    <label for=field_id.clone() class="visually-hidden">{format!("New password for {}", account.name)}</label>
                    <input id=field_id type="password" autocomplete="new-password" placeholder="New password" data-testid="team-new-password" node_ref=password />
                    <button type="submit" class="link">"Set"</button>
                </form>
            </td>
        </tr>
    }
}
