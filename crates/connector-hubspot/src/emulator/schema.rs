//! The emulated portal's data model: object types, their properties (HubSpot's defaults and the portal's
//! custom ones), enumeration options, the default pipelines and the HubSpot-defined association types.

/// A CRM object type the emulator stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectType {
    Contacts,
    Companies,
    Deals,
    Leads,
    Meetings,
}

impl ObjectType {
    pub const ALL: [ObjectType; 5] = [Self::Contacts, Self::Companies, Self::Deals, Self::Leads, Self::Meetings];

    /// A path segment: the plural name, the singular name or the objectTypeId, as HubSpot accepts them.
    pub fn parse(segment: &str) -> Option<Self> {
        Some(match segment.to_ascii_lowercase().as_str() {
            "contacts" | "contact" | "0-1" => Self::Contacts,
            "companies" | "company" | "0-2" => Self::Companies,
            "deals" | "deal" | "0-3" => Self::Deals,
            "leads" | "lead" | "0-136" => Self::Leads,
            "meetings" | "meeting" | "0-47" => Self::Meetings,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Contacts => "contacts",
            Self::Companies => "companies",
            Self::Deals => "deals",
            Self::Leads => "leads",
            Self::Meetings => "meetings",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            Self::Contacts => "contact",
            Self::Companies => "company",
            Self::Deals => "deal",
            Self::Leads => "lead",
            Self::Meetings => "meeting",
        }
    }

    /// As HubSpot names the type in association errors (`CONTACT=123 is not valid`).
    pub fn upper(self) -> &'static str {
        match self {
            Self::Contacts => "CONTACT",
            Self::Companies => "COMPANY",
            Self::Deals => "DEAL",
            Self::Leads => "LEAD",
            Self::Meetings => "MEETING",
        }
    }

    /// The property that holds the creation instant (meetings and leads use the `hs_` one).
    pub fn created_property(self) -> &'static str {
        match self {
            Self::Leads | Self::Meetings => "hs_createdate",
            _ => "createdate",
        }
    }

    pub fn modified_property(self) -> &'static str {
        match self {
            Self::Leads | Self::Meetings | Self::Companies => "hs_lastmodifieddate",
            Self::Contacts | Self::Deals => "lastmodifieddate",
        }
    }

    /// Where each type's id counter starts: realistic 11-digit ids.
    pub fn first_id(self) -> u64 {
        match self {
            Self::Contacts => 10_451_230_001,
            Self::Companies => 21_678_230_001,
            Self::Deals => 32_759_100_001,
            Self::Leads => 41_235_500_001,
            Self::Meetings => 70_231_500_001,
        }
    }

    /// The properties of this type: HubSpot's defaults, then the portal's custom ones.
    pub fn properties(self) -> &'static [Property] {
        match self {
            Self::Contacts => CONTACT,
            Self::Companies => COMPANY,
            Self::Deals => DEAL,
            Self::Leads => LEAD,
            Self::Meetings => MEETING,
        }
    }

    pub fn property(self, name: &str) -> Option<&'static Property> {
        self.properties().iter().find(|p| p.name == name)
    }

    /// What a read without `properties=` returns (besides the system properties).
    pub fn default_read(self) -> &'static [&'static str] {
        match self {
            Self::Contacts => &["email", "firstname", "lastname"],
            Self::Companies => &["domain", "name"],
            Self::Deals => &["amount", "closedate", "dealname", "dealstage", "pipeline"],
            Self::Leads => &["hs_lead_name", "hs_pipeline", "hs_pipeline_stage"],
            Self::Meetings => &["hs_meeting_title", "hs_timestamp"],
        }
    }

    /// Properties a create must carry (a blank value counts as missing).
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Self::Deals => &["dealname", "dealstage"],
            Self::Leads => &["hs_lead_name"],
            Self::Meetings => &["hs_timestamp"],
            Self::Companies | Self::Contacts => &[],
        }
    }
}

/// A property definition.
#[derive(Debug)]
pub struct Property {
    pub name: &'static str,
    pub kind: Kind,
    /// Created by the portal, not HubSpot-defined.
    pub custom: bool,
}

#[derive(Debug)]
pub enum Kind {
    Text,
    Number,
    /// ISO 8601 or epoch milliseconds; stored and echoed as an ISO instant.
    DateTime,
    Email,
    /// An owner id: an integer.
    Owner,
    /// Set by HubSpot; a write is refused.
    ReadOnly,
    Enumeration(&'static Enumeration),
}

/// An enumeration's options, and how HubSpot lists them in an `INVALID_OPTION` message.
#[derive(Debug)]
pub struct Enumeration {
    pub options: &'static [(&'static str, &'static str)],
    pub listing: Listing,
    /// Custom options have numeric internal values (custom lifecycle stages since 2022-09).
    pub numeric_allowed: bool,
}

#[derive(Debug, Clone, Copy)]
pub enum Listing {
    /// `[appointmentscheduled, qualifiedtobuy, ...]`
    Values,
    /// `[label: "Cold"\nvalue: "COLD"\n, ...]`
    LabelsAndValues,
}

impl Enumeration {
    pub fn allows(&self, value: &str) -> bool {
        self.options.iter().any(|(_, v)| *v == value)
            || (self.numeric_allowed && !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
    }

    /// The `[...]` part of HubSpot's `X was not one of the allowed options: [...]`.
    pub fn listing(&self) -> String {
        let items: Vec<String> = match self.listing {
            Listing::Values => self.options.iter().map(|(_, value)| (*value).to_owned()).collect(),
            Listing::LabelsAndValues => {
                self.options.iter().map(|(label, value)| format!("label: \"{label}\"\nvalue: \"{value}\"\n")).collect()
            }
        };
        format!("[{}]", items.join(", "))
    }
}

const fn hubspot(name: &'static str, kind: Kind) -> Property {
    Property { name, kind, custom: false }
}

const fn custom(name: &'static str, kind: Kind) -> Property {
    Property { name, kind, custom: true }
}

pub static LIFECYCLE_STAGES: Enumeration = Enumeration {
    options: &[
        ("Subscriber", "subscriber"),
        ("Lead", "lead"),
        ("Marketing Qualified Lead", "marketingqualifiedlead"),
        ("Sales Qualified Lead", "salesqualifiedlead"),
        ("Opportunity", "opportunity"),
        ("Customer", "customer"),
        ("Evangelist", "evangelist"),
        ("Other", "other"),
    ],
    listing: Listing::Values,
    numeric_allowed: true,
};

static LEAD_STATUSES: Enumeration = Enumeration {
    options: &[
        ("New", "NEW"),
        ("Open", "OPEN"),
        ("In Progress", "IN_PROGRESS"),
        ("Open Deal", "OPEN_DEAL"),
        ("Unqualified", "UNQUALIFIED"),
        ("Attempted to Contact", "ATTEMPTED_TO_CONTACT"),
        ("Connected", "CONNECTED"),
        ("Bad Timing", "BAD_TIMING"),
    ],
    listing: Listing::Values,
    numeric_allowed: false,
};

/// The default deal pipeline's stages, with the win probability HubSpot gives each.
pub static DEAL_STAGES: Enumeration = Enumeration {
    options: &[
        ("Appointment Scheduled", "appointmentscheduled"),
        ("Qualified To Buy", "qualifiedtobuy"),
        ("Presentation Scheduled", "presentationscheduled"),
        ("Decision Maker Bought-In", "decisionmakerboughtin"),
        ("Contract Sent", "contractsent"),
        ("Closed Won", "closedwon"),
        ("Closed Lost", "closedlost"),
    ],
    listing: Listing::Values,
    numeric_allowed: false,
};

pub fn deal_stage_probability(stage: &str) -> Option<&'static str> {
    Some(match stage {
        "appointmentscheduled" => "0.2",
        "qualifiedtobuy" => "0.4",
        "presentationscheduled" => "0.6",
        "decisionmakerboughtin" => "0.8",
        "contractsent" => "0.9",
        "closedwon" => "1.0",
        "closedlost" => "0.0",
        _ => return None,
    })
}

pub const DEFAULT_DEAL_PIPELINE: &str = "default";
static DEAL_PIPELINES: Enumeration = Enumeration {
    options: &[("Sales Pipeline", DEFAULT_DEAL_PIPELINE)],
    listing: Listing::Values,
    numeric_allowed: false,
};

pub const DEFAULT_LEAD_PIPELINE: &str = "lead-pipeline-id";
static LEAD_PIPELINES: Enumeration = Enumeration {
    options: &[("Lead pipeline", DEFAULT_LEAD_PIPELINE)],
    listing: Listing::Values,
    numeric_allowed: false,
};

pub const FIRST_LEAD_STAGE: &str = "new-stage-id";
static LEAD_STAGES: Enumeration = Enumeration {
    options: &[
        ("New", FIRST_LEAD_STAGE),
        ("Attempting", "attempting-stage-id"),
        ("Connected", "connected-stage-id"),
        ("Qualified", "qualified-stage-id"),
        ("Unqualified", "unqualified-stage-id"),
    ],
    listing: Listing::Values,
    numeric_allowed: false,
};

static LEAD_LABELS: Enumeration = Enumeration {
    options: &[("Cold", "COLD"), ("Warm", "WARM"), ("Hot", "HOT")],
    listing: Listing::LabelsAndValues,
    numeric_allowed: false,
};

static MEETING_OUTCOMES: Enumeration = Enumeration {
    options: &[
        ("Scheduled", "SCHEDULED"),
        ("Completed", "COMPLETED"),
        ("Rescheduled", "RESCHEDULED"),
        ("No Show", "NO_SHOW"),
        ("Canceled", "CANCELED"),
    ],
    listing: Listing::Values,
    numeric_allowed: false,
};

static DEAL_TYPES: Enumeration = Enumeration {
    options: &[("New Business", "newbusiness"), ("Existing Business", "existingbusiness")],
    listing: Listing::Values,
    numeric_allowed: false,
};

static CONTACT: &[Property] = &[
    hubspot("email", Kind::Email),
    hubspot("firstname", Kind::Text),
    hubspot("lastname", Kind::Text),
    hubspot("phone", Kind::Text),
    hubspot("mobilephone", Kind::Text),
    hubspot("fax", Kind::Text),
    hubspot("company", Kind::Text),
    hubspot("jobtitle", Kind::Text),
    hubspot("website", Kind::Text),
    hubspot("address", Kind::Text),
    hubspot("city", Kind::Text),
    hubspot("state", Kind::Text),
    hubspot("zip", Kind::Text),
    hubspot("country", Kind::Text),
    hubspot("industry", Kind::Text),
    hubspot("annualrevenue", Kind::Number),
    hubspot("salutation", Kind::Text),
    hubspot("message", Kind::Text),
    hubspot("date_of_birth", Kind::Text),
    hubspot("hubspot_owner_id", Kind::Owner),
    hubspot("lifecyclestage", Kind::Enumeration(&LIFECYCLE_STAGES)),
    hubspot("hs_lead_status", Kind::Enumeration(&LEAD_STATUSES)),
    hubspot("hs_analytics_source", Kind::Text),
    hubspot("createdate", Kind::ReadOnly),
    hubspot("lastmodifieddate", Kind::ReadOnly),
    hubspot("hs_object_id", Kind::ReadOnly),
    custom("loyaltyScore", Kind::Number),
    custom("loyalty_score", Kind::Number),
    custom("lead_source", Kind::Text),
    custom("loyalty_tier", Kind::Text),
    custom("nps_score", Kind::Number),
    custom("interests", Kind::Text),
    custom("newsletter_opt_in", Kind::Text),
];

static COMPANY: &[Property] = &[
    hubspot("name", Kind::Text),
    hubspot("domain", Kind::Text),
    hubspot("phone", Kind::Text),
    hubspot("website", Kind::Text),
    hubspot("address", Kind::Text),
    hubspot("city", Kind::Text),
    hubspot("state", Kind::Text),
    hubspot("zip", Kind::Text),
    hubspot("country", Kind::Text),
    hubspot("industry", Kind::Text),
    hubspot("description", Kind::Text),
    hubspot("numberofemployees", Kind::Number),
    hubspot("annualrevenue", Kind::Number),
    hubspot("hubspot_owner_id", Kind::Owner),
    hubspot("lifecyclestage", Kind::Enumeration(&LIFECYCLE_STAGES)),
    hubspot("createdate", Kind::ReadOnly),
    hubspot("hs_lastmodifieddate", Kind::ReadOnly),
    hubspot("hs_object_id", Kind::ReadOnly),
];

static DEAL: &[Property] = &[
    hubspot("dealname", Kind::Text),
    hubspot("amount", Kind::Number),
    hubspot("deal_currency_code", Kind::Text),
    hubspot("dealstage", Kind::Enumeration(&DEAL_STAGES)),
    hubspot("pipeline", Kind::Enumeration(&DEAL_PIPELINES)),
    hubspot("closedate", Kind::DateTime),
    hubspot("dealtype", Kind::Enumeration(&DEAL_TYPES)),
    hubspot("description", Kind::Text),
    hubspot("hubspot_owner_id", Kind::Owner),
    hubspot("createdate", Kind::ReadOnly),
    hubspot("lastmodifieddate", Kind::ReadOnly),
    hubspot("hs_lastmodifieddate", Kind::ReadOnly),
    hubspot("hs_object_id", Kind::ReadOnly),
    hubspot("hs_deal_stage_probability", Kind::ReadOnly),
    custom("deal_region", Kind::Text),
];

static LEAD: &[Property] = &[
    hubspot("hs_lead_name", Kind::Text),
    hubspot("hs_lead_type", Kind::Text),
    hubspot("hs_lead_label", Kind::Enumeration(&LEAD_LABELS)),
    hubspot("hs_pipeline", Kind::Enumeration(&LEAD_PIPELINES)),
    hubspot("hs_pipeline_stage", Kind::Enumeration(&LEAD_STAGES)),
    hubspot("hubspot_owner_id", Kind::Owner),
    hubspot("hs_createdate", Kind::ReadOnly),
    hubspot("hs_lastmodifieddate", Kind::ReadOnly),
    hubspot("hs_object_id", Kind::ReadOnly),
];

static MEETING: &[Property] = &[
    hubspot("hs_timestamp", Kind::DateTime),
    hubspot("hs_meeting_title", Kind::Text),
    hubspot("hs_meeting_body", Kind::Text),
    hubspot("hs_internal_meeting_notes", Kind::Text),
    hubspot("hs_meeting_location", Kind::Text),
    hubspot("hs_meeting_external_url", Kind::Text),
    hubspot("hs_meeting_start_time", Kind::DateTime),
    hubspot("hs_meeting_end_time", Kind::DateTime),
    hubspot("hs_meeting_outcome", Kind::Enumeration(&MEETING_OUTCOMES)),
    hubspot("hs_activity_type", Kind::Text),
    hubspot("hs_attendee_owner_ids", Kind::Text),
    hubspot("hubspot_owner_id", Kind::Owner),
    hubspot("hs_createdate", Kind::ReadOnly),
    hubspot("hs_lastmodifieddate", Kind::ReadOnly),
    hubspot("hs_object_id", Kind::ReadOnly),
];

/// lead → primary contact: the association every lead must have.
pub const LEAD_TO_PRIMARY_CONTACT: u32 = 578;

/// The object type a HubSpot-defined association type leads to, from `from` (`deals`, 3 → `contacts`).
/// `None` for a type id that does not start at `from`.
pub fn target_of(from: ObjectType, type_id: u32) -> Option<ObjectType> {
    use ObjectType::*;
    Some(match (from, type_id) {
        (Contacts, 1 | 279) => Companies,
        (Contacts, 4) => Deals,
        (Companies, 2 | 280) => Contacts,
        (Companies, 6 | 342) => Deals,
        (Deals, 3) => Contacts,
        (Deals, 5 | 341) => Companies,
        (Leads, 578 | 608) => Contacts,
        (Leads, 580 | 610) => Companies,
        (Leads, 582) => Deals,
        (Meetings, 200) => Contacts,
        (Meetings, 188) => Companies,
        (Meetings, 212) => Deals,
        (Meetings, 601) => Leads,
        _ => return None,
    })
}

/// [`target_of`] by name, for tests that seed an association's target: `("deals", 3)` → `"contacts"`.
pub fn association_target(from_object_type: &str, association_type_id: u32) -> Option<&'static str> {
    target_of(ObjectType::parse(from_object_type)?, association_type_id).map(ObjectType::name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_round_trip() {
        for ty in ObjectType::ALL {
            assert_eq!(ObjectType::parse(ty.name()), Some(ty));
            assert_eq!(ObjectType::parse(ty.singular()), Some(ty));
            assert_eq!(ty.first_id().to_string().len(), 11);
        }
        assert_eq!(ObjectType::parse("0-136"), Some(ObjectType::Leads));
        assert_eq!(ObjectType::parse("widgets"), None);
    }

    #[test]
    fn option_listings_in_hubspot_forms() {
        assert_eq!(
            DEAL_STAGES.listing(),
            "[appointmentscheduled, qualifiedtobuy, presentationscheduled, decisionmakerboughtin, contractsent, closedwon, closedlost]"
        );
        assert_eq!(
            LEAD_LABELS.listing(),
            "[label: \"Cold\"\nvalue: \"COLD\"\n, label: \"Warm\"\nvalue: \"WARM\"\n, label: \"Hot\"\nvalue: \"HOT\"\n]"
        );
        assert!(LIFECYCLE_STAGES.allows("1049584722") && !LIFECYCLE_STAGES.allows("hot"));
        assert!(!LEAD_LABELS.allows(" WARM"));
    }

    #[test]
    fn association_targets() {
        assert_eq!(association_target("deals", 3), Some("contacts"));
        assert_eq!(association_target("meetings", 212), Some("deals"));
        assert_eq!(association_target("leads", 578), Some("contacts"));
        assert_eq!(association_target("contacts", 578), None);
    }
}
