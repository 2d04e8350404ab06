// Type declarations for the Shopdesk widget's page API, `window.shopdesk`.
// Ship this file beside shopdesk.js; reference it from TypeScript with
//   /// <reference path="./shopdesk.d.ts" />

export {};

declare global {
  interface Window {
    /** Before shopdesk.js has loaded this may be an array of queued calls:
     *  `window.shopdesk = window.shopdesk || []; shopdesk.push(["open"]);` */
    shopdesk: Shopdesk.Api | Shopdesk.QueuedCall[];
    /** Settings read once when the widget starts; set it before the script tag. */
    shopdeskSettings?: Shopdesk.Settings;
  }

  namespace Shopdesk {
    type QueuedCall = [string, ...unknown[]];

    interface Settings {
      /** Folder of the widget's files; default: the folder shopdesk.js came from. */
      assetUrl?: string;
      /** Folder with faq-manifest.json; default: `<assetUrl>faq/`. */
      indexUrl?: string;
      /** Language tag; default: `<html lang>`, then the browser's language. */
      locale?: string;
      position?: "bottom-right" | "bottom-left";
      /** Pixels from the page corner (0-400), both axes or each. */
      offset?: number | { x: number; y: number };
      /** "#0f5f59", "#fa0" or "rgb(15, 95, 89)"; text on it is picked for contrast. */
      brandColor?: string;
      launcherLabel?: string;
      launcherIcon?: "chat" | "help" | "question" | "none";
      /** Panel heading. */
      greeting?: string;
      zIndex?: number;
      /** URL patterns (`*`, `?`) of pages where the widget is hidden. */
      hideOn?: string[];
      /** Where feedback events are POSTed as JSON; without it, no feedback is asked. */
      feedbackEndpoint?: string;
      chatEndpoint?: string;
      /** What the chat asks before the first message (a field `identify` filled is skipped). */
      chat?: ShopdeskChatSettings;
      colorScheme?: "auto" | "light" | "dark";
      /** CSAT, NPS and CES surveys; answers go to `feedbackEndpoint`. */
      surveys?: ShopdeskSurvey[];
      /** Days between any two surveys shown to one shopper (default 7). */
      surveyGapDays?: number;
      /** Search analytics (on by default, posted beside a Shopdesk `feedbackEndpoint`:
       *  `…/v1/searches`); `false` turns them off. */
      analytics?: boolean;
      /** Record nothing until `shopdesk.consent(true)`. */
      consentRequired?: boolean;
    }

    /** `chat.preChat`: each field "off" (default), "optional" or "required". */
    interface ShopdeskChatSettings {
      preChat?: { name?: ShopdeskAsk; email?: ShopdeskAsk };
    }

    type ShopdeskAsk = "off" | "optional" | "required";

    interface Identity {
      id?: string;
      email?: string;
      name?: string;
      /** Your server's signature of the identity, for the chat handoff. */
      signature?: string;
    }

    interface EventMap {
      ready: undefined;
      open: undefined;
      close: undefined;
      /** Fired once the shopper pauses typing. */
      search: { query: string; results: number };
      "article:view": { id: string; title: string };
      /** The shopper asked for a person: a live chat started (`id`: the conversation). */
      escalate: { id: string };
      /** While writing their first chat message, the shopper opened a suggested article. */
      "chat:suggestion": { id: string };
      /** An agent's message arrived. */
      "chat:message": { id: string };
      /** The chat ended (the agent or the shopper closed it). */
      "chat:ended": { id: string };
      "survey:shown": { id: string; kind: "csat" | "nps" | "ces" };
      "survey:submitted": { id: string; kind: "csat" | "nps" | "ces"; score: number };
      error: { message: string };
    }

    interface Api {
      readonly version: string;
      open(): void;
      close(): void;
      toggle(): void;
      /** Opens the panel and searches for `query`. */
      search(query: string): void;
      openArticle(id: string): void;
      identify(user: Identity): void;
      /** Anything that helps support: cart, order id, … */
      setContext(context: Record<string, unknown>): void;
      on<K extends keyof EventMap>(event: K, listener: (detail: EventMap[K]) => void): void;
      off<K extends keyof EventMap>(event: K, listener?: (detail: EventMap[K]) => void): void;
      /** Offers a survey (by id, or the first of a kind) now, within the frequency caps. */
      showSurvey(survey: string): void;
      /** The shopper's consent to search analytics, with `consentRequired` (call it on
       *  every page, as your consent tool knows it); `false` forgets what was recorded. */
      consent(granted: boolean): void;
      /** Removes the widget, its listeners and everything it stored. */
      shutdown(): void;
      /** The queue pattern still works after loading: `shopdesk.push(["open"])`. */
      push(call: QueuedCall): void;
    }
  }
}

interface ShopdeskSurvey {
  kind: "csat" | "nps" | "ces";
  /** Names the survey in answers (`survey_id`) and its cooldown; default: the kind. */
  id?: string;
  /** Default "manual": only `shopdesk.showSurvey`. */
  trigger?: "manual" | "exitIntent" | { afterSeconds: number } | { onPage: string };
  /** Percent of shoppers asked (default 100). */
  sample?: number;
  /** Days before one shopper sees it again (default NPS 90, CSAT and CES 30). */
  cooldownDays?: number;
  /** Your wording instead of the widget's. */
  question?: string;
  /** NPS: the follow-up question. */
  reason?: string;
}
