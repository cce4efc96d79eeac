//! The emulated org's data model: the sObjects, their fields (Salesforce's standard ones that the
//! connector and its callers use, and the org's custom fields), picklists, and the seeded users and queue.

/// An sObject the emulator stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SObjectType {
    Account,
    Contact,
    Lead,
    Opportunity,
    OpportunityContactRole,
    Event,
    EventRelation,
    User,
    Group,
}

impl SObjectType {
    pub const ALL: [Self; 9] = [
        Self::Account,
        Self::Contact,
        Self::Lead,
        Self::Opportunity,
        Self::OpportunityContactRole,
        Self::Event,
        Self::EventRelation,
        Self::User,
        Self::Group,
    ];

    /// A path segment or a SOQL `FROM`: object names ignore case.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(name))
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Account => "Account",
            Self::Contact => "Contact",
            Self::Lead => "Lead",
            Self::Opportunity => "Opportunity",
            Self::OpportunityContactRole => "OpportunityContactRole",
            Self::Event => "Event",
            Self::EventRelation => "EventRelation",
            Self::User => "User",
            Self::Group => "Group",
        }
    }

    /// The key prefix of this object's ids.
    pub fn key_prefix(self) -> &'static str {
        match self {
            Self::Account => "001",
            Self::Contact => "003",
            Self::Lead => "00Q",
            Self::Opportunity => "006",
            Self::OpportunityContactRole => "00K",
            Self::Event => "00U",
            Self::EventRelation => "0RE",
            Self::User => "005",
            Self::Group => "00G",
        }
    }

    /// The object an id names, by its key prefix.
    pub fn of_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| id.get(..3) == Some(t.key_prefix()))
    }

    /// Records the API can create (users and queues are the org's, seeded).
    pub fn createable(self) -> bool {
        !matches!(self, Self::User | Self::Group)
    }

    /// Where each object's record numbers start, so that ids look lived-in.
    pub fn first_number(self) -> u64 {
        match self {
            Self::Account => 12_401_871,
            Self::Contact => 9_316_204,
            Self::Lead => 4_751_390,
            Self::Opportunity => 2_864_113,
            Self::OpportunityContactRole => 1_190_457,
            Self::Event => 7_302_566,
            Self::EventRelation => 3_668_021,
            Self::User => 100,
            Self::Group => 100,
        }
    }

    pub fn fields(self) -> &'static [Field] {
        match self {
            Self::Account => ACCOUNT,
            Self::Contact => CONTACT,
            Self::Lead => LEAD,
            Self::Opportunity => OPPORTUNITY,
            Self::OpportunityContactRole => OPPORTUNITY_CONTACT_ROLE,
            Self::Event => EVENT,
            Self::EventRelation => EVENT_RELATION,
            Self::User => USER,
            Self::Group => GROUP,
        }
    }

    /// A field by its API name, ignoring case. Org features hide some (`CurrencyIsoCode` without
    /// multi-currency, `…Code` address fields without the picklists, `IsParent` without Shared Activities).
    pub fn field(self, name: &str, org: &Org) -> Option<&'static Field> {
        let field = self.fields().iter().chain(COMMON).find(|f| f.name.eq_ignore_ascii_case(name))?;
        let on = match field.feature {
            Feature::Always => true,
            Feature::MultiCurrency => org.multi_currency,
            Feature::Picklists => org.state_country_picklists,
            Feature::SharedActivities => org.shared_activities,
        };
        on.then_some(field)
    }
}

/// The org's switchable features (`POST /_emulator/org`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Org {
    pub multi_currency: bool,
    pub state_country_picklists: bool,
    pub shared_activities: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Always,
    MultiCurrency,
    Picklists,
    SharedActivities,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Id,
    Text(usize),
    Email,
    Picklist {
        values: &'static [&'static str],
        restricted: bool,
    },
    MultiPicklist,
    Double,
    Percent,
    Currency,
    Boolean,
    Date,
    DateTime,
    Int,
    Reference(&'static [SObjectType]),
    /// `State`/`Country` and their codes: text, or the org's picklist when it has one.
    State,
    Country,
    StateCode,
    CountryCode,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub createable: bool,
    pub required: bool,
    pub feature: Feature,
}

const fn f(name: &'static str, label: &'static str, kind: Kind) -> Field {
    Field { name, label, kind, createable: true, required: false, feature: Feature::Always }
}

const fn required(name: &'static str, label: &'static str, kind: Kind) -> Field {
    Field { required: true, ..f(name, label, kind) }
}

const fn system(name: &'static str, label: &'static str, kind: Kind) -> Field {
    Field { createable: false, ..f(name, label, kind) }
}

const fn only(feature: Feature, field: Field) -> Field {
    Field { feature, ..field }
}

const TEXT: Kind = Kind::Text(255);
const USER_OR_QUEUE: &[SObjectType] = &[SObjectType::User, SObjectType::Group];
const USERS: &[SObjectType] = &[SObjectType::User];

/// The fields every object has, in the order a full read lists them.
pub const COMMON_NAMES: &[&str] =
    &["Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp"];

/// On every object.
const COMMON: &[Field] = &[
    system("Id", "Record ID", Kind::Id),
    system("CreatedDate", "Created Date", Kind::DateTime),
    system("LastModifiedDate", "Last Modified Date", Kind::DateTime),
    system("SystemModstamp", "System Modstamp", Kind::DateTime),
    system("CreatedById", "Created By ID", Kind::Reference(USERS)),
    system("LastModifiedById", "Last Modified By ID", Kind::Reference(USERS)),
    system("IsDeleted", "Deleted", Kind::Boolean),
];

const LEAD_SOURCES: &[&str] = &["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"];
pub const LEAD_STATUSES: &[&str] =
    &["Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"];
/// Each stage with its default probability.
pub const STAGES: &[(&str, f64)] = &[
    ("Prospecting", 10.0),
    ("Qualification", 10.0),
    ("Needs Analysis", 20.0),
    ("Value Proposition", 50.0),
    ("Id. Decision Makers", 60.0),
    ("Perception Analysis", 70.0),
    ("Proposal/Price Quote", 75.0),
    ("Negotiation/Review", 90.0),
    ("Closed Won", 100.0),
    ("Closed Lost", 0.0),
];
const STAGE_NAMES: &[&str] = &[
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
];
/// The org's active currencies (multi-currency orgs); the first is the corporate currency.
pub const CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "CAD", "AUD", "JPY"];

const ACCOUNT: &[Field] = &[
    required("Name", "Account Name", TEXT),
    f(
        "Type",
        "Account Type",
        Kind::Picklist {
            values: &["Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other"],
            restricted: false,
        },
    ),
    f("Industry", "Industry", TEXT),
    f("Website", "Website", TEXT),
    f("Phone", "Account Phone", Kind::Text(40)),
    f("OwnerId", "Owner ID", Kind::Reference(USERS)),
    only(
        Feature::MultiCurrency,
        f("CurrencyIsoCode", "Account Currency", Kind::Picklist { values: CURRENCIES, restricted: true }),
    ),
];

const CONTACT: &[Field] = &[
    f("FirstName", "First Name", Kind::Text(40)),
    required("LastName", "Last Name", Kind::Text(80)),
    system("Name", "Full Name", Kind::Text(121)),
    f("Email", "Email", Kind::Email),
    f("Phone", "Business Phone", Kind::Text(40)),
    f("MobilePhone", "Mobile Phone", Kind::Text(40)),
    f("Title", "Title", Kind::Text(128)),
    f("Department", "Department", Kind::Text(80)),
    f("AccountId", "Account ID", Kind::Reference(&[SObjectType::Account])),
    f("MailingStreet", "Mailing Street", Kind::Text(255)),
    f("MailingCity", "Mailing City", Kind::Text(40)),
    f("MailingState", "Mailing State/Province", Kind::State),
    f("MailingPostalCode", "Mailing Zip/Postal Code", Kind::Text(20)),
    f("MailingCountry", "Mailing Country", Kind::Country),
    only(Feature::Picklists, f("MailingStateCode", "Mailing State/Province Code", Kind::StateCode)),
    only(Feature::Picklists, f("MailingCountryCode", "Mailing Country Code", Kind::CountryCode)),
    f("OwnerId", "Owner ID", Kind::Reference(USERS)),
    f("LeadSource", "Lead Source", Kind::Picklist { values: LEAD_SOURCES, restricted: false }),
    f("Description", "Contact Description", Kind::Text(32_000)),
    only(
        Feature::MultiCurrency,
        f("CurrencyIsoCode", "Contact Currency", Kind::Picklist { values: CURRENCIES, restricted: true }),
    ),
    f("Loyalty_Score__c", "Loyalty Score", Kind::Double),
    f("Lifecycle_Stage__c", "Lifecycle Stage", Kind::Text(40)),
    f("Interests__c", "Interests", Kind::MultiPicklist),
    f("VIP__c", "VIP", Kind::Boolean),
];

const LEAD: &[Field] = &[
    f("FirstName", "First Name", Kind::Text(40)),
    required("LastName", "Last Name", Kind::Text(80)),
    system("Name", "Full Name", Kind::Text(121)),
    f("Email", "Email", Kind::Email),
    f("Phone", "Phone", Kind::Text(40)),
    f("MobilePhone", "Mobile Phone", Kind::Text(40)),
    required("Company", "Company", Kind::Text(255)),
    f("Title", "Title", Kind::Text(128)),
    f("Street", "Street", Kind::Text(255)),
    f("City", "City", Kind::Text(40)),
    f("State", "State/Province", Kind::State),
    f("PostalCode", "Zip/Postal Code", Kind::Text(20)),
    f("Country", "Country", Kind::Country),
    only(Feature::Picklists, f("StateCode", "State/Province Code", Kind::StateCode)),
    only(Feature::Picklists, f("CountryCode", "Country Code", Kind::CountryCode)),
    f("Status", "Lead Status", Kind::Picklist { values: LEAD_STATUSES, restricted: true }),
    f("OwnerId", "Owner ID", Kind::Reference(USER_OR_QUEUE)),
    f("LeadSource", "Lead Source", Kind::Picklist { values: LEAD_SOURCES, restricted: false }),
    f("Industry", "Industry", TEXT),
    f("Description", "Description", Kind::Text(32_000)),
    system("IsConverted", "Converted", Kind::Boolean),
    only(
        Feature::MultiCurrency,
        f("CurrencyIsoCode", "Lead Currency", Kind::Picklist { values: CURRENCIES, restricted: true }),
    ),
    f("Loyalty_Score__c", "Loyalty Score", Kind::Double),
    f("Lifecycle_Stage__c", "Lifecycle Stage", Kind::Text(40)),
    f(
        "Preferred_Language__c",
        "Preferred Language",
        Kind::Picklist { values: &["English", "French", "German", "Spanish"], restricted: false },
    ),
    f("Interests__c", "Interests", Kind::MultiPicklist),
];

const OPPORTUNITY: &[Field] = &[
    required("Name", "Name", Kind::Text(120)),
    f("Amount", "Amount", Kind::Currency),
    required("StageName", "Stage", Kind::Picklist { values: STAGE_NAMES, restricted: true }),
    required("CloseDate", "Close Date", Kind::Date),
    f("Probability", "Probability (%)", Kind::Percent),
    f("AccountId", "Account ID", Kind::Reference(&[SObjectType::Account])),
    f("ContactId", "Contact ID", Kind::Reference(&[SObjectType::Contact])),
    f("OwnerId", "Owner ID", Kind::Reference(USERS)),
    f("LeadSource", "Lead Source", Kind::Picklist { values: LEAD_SOURCES, restricted: false }),
    f(
        "Type",
        "Opportunity Type",
        Kind::Picklist {
            values: &[
                "Existing Customer - Upgrade",
                "Existing Customer - Replacement",
                "Existing Customer - Downgrade",
                "New Customer",
            ],
            restricted: false,
        },
    ),
    f("NextStep", "Next Step", TEXT),
    f("Description", "Description", Kind::Text(32_000)),
    f("RecordTypeId", "Record Type ID", Kind::Reference(&[])),
    system("IsClosed", "Closed", Kind::Boolean),
    system("IsWon", "Won", Kind::Boolean),
    system("ForecastCategoryName", "Forecast Category", TEXT),
    only(
        Feature::MultiCurrency,
        f("CurrencyIsoCode", "Opportunity Currency", Kind::Picklist { values: CURRENCIES, restricted: true }),
    ),
    f("Region__c", "Region", Kind::Text(80)),
];

const OPPORTUNITY_CONTACT_ROLE: &[Field] = &[
    required("OpportunityId", "Opportunity ID", Kind::Reference(&[SObjectType::Opportunity])),
    required("ContactId", "Contact ID", Kind::Reference(&[SObjectType::Contact])),
    f(
        "Role",
        "Role",
        Kind::Picklist {
            values: &[
                "Business User",
                "Decision Maker",
                "Economic Buyer",
                "Economic Decision Maker",
                "Evaluator",
                "Executive Sponsor",
                "Influencer",
                "Technical Buyer",
                "Other",
            ],
            restricted: false,
        },
    ),
    f("IsPrimary", "Primary", Kind::Boolean),
];

const EVENT: &[Field] = &[
    f("Subject", "Subject", TEXT),
    f("Description", "Description", Kind::Text(32_000)),
    f("StartDateTime", "Start Date Time", Kind::DateTime),
    f("EndDateTime", "End Date Time", Kind::DateTime),
    f("ActivityDateTime", "Due Date Time", Kind::DateTime),
    f("ActivityDate", "Due Date Only", Kind::Date),
    f("DurationInMinutes", "Duration", Kind::Int),
    f("IsAllDayEvent", "All-Day Event", Kind::Boolean),
    f("Location", "Location", TEXT),
    f("WhoId", "Name ID", Kind::Reference(&[SObjectType::Contact, SObjectType::Lead])),
    f("WhatId", "Related To ID", Kind::Reference(&[SObjectType::Account, SObjectType::Opportunity])),
    f("OwnerId", "Assigned To ID", Kind::Reference(USERS)),
    f("Type", "Type", Kind::Picklist { values: &["Call", "Email", "Meeting", "Other"], restricted: false }),
    f("ShowAs", "Show Time As", Kind::Picklist { values: &["Busy", "OutOfOffice", "Free"], restricted: true }),
    f("Meeting_Link__c", "Meeting Link", TEXT),
];

const EVENT_RELATION: &[Field] = &[
    required("EventId", "Event ID", Kind::Reference(&[SObjectType::Event])),
    required(
        "RelationId",
        "Relation ID",
        Kind::Reference(&[SObjectType::Contact, SObjectType::Lead, SObjectType::User]),
    ),
    f("IsInvitee", "Is Invitee", Kind::Boolean),
    only(Feature::SharedActivities, f("IsParent", "Is Parent", Kind::Boolean)),
    only(Feature::SharedActivities, f("IsWhat", "Is What", Kind::Boolean)),
    f("Status", "Status", Kind::Picklist { values: &["New", "Accepted", "Declined"], restricted: true }),
];

const USER: &[Field] = &[
    system("Name", "Full Name", Kind::Text(121)),
    system("FirstName", "First Name", Kind::Text(40)),
    system("LastName", "Last Name", Kind::Text(80)),
    system("Email", "Email", Kind::Email),
    system("Username", "Username", Kind::Text(80)),
    system("Alias", "Alias", Kind::Text(8)),
    system("IsActive", "Active", Kind::Boolean),
    system("Title", "Title", Kind::Text(80)),
];

const GROUP: &[Field] = &[
    system("Name", "Name", Kind::Text(40)),
    system("DeveloperName", "Developer Name", Kind::Text(80)),
    system("Type", "Type", TEXT),
    system("Email", "Email", Kind::Email),
];

/// A seeded user: its 15-character id, its fields and whether it is active.
#[derive(Debug, Clone, Copy)]
pub struct SeedUser {
    pub id: &'static str,
    pub fields: &'static [(&'static str, &'static str)],
    pub active: bool,
}

/// The org's users, seeded into every fresh emulator.
pub const USERS_SEED: &[SeedUser] = &[
    SeedUser {
        id: "0058c00000AsDfG",
        fields: &[
            ("FirstName", "John"),
            ("LastName", "Smith"),
            ("Email", "john.smith@acme.com"),
            ("Username", "john.smith@acme.com.prod"),
            ("Alias", "jsmit"),
            ("Title", "Account Executive"),
        ],
        active: true,
    },
    SeedUser {
        id: "0058c00000BtEgH",
        fields: &[
            ("FirstName", "Priya"),
            ("LastName", "Shah"),
            ("Email", "priya.shah@acme-demo.com"),
            ("Username", "priya.shah@acme-demo.com"),
            ("Alias", "pshah"),
            ("Title", "Sales Manager"),
        ],
        active: true,
    },
    SeedUser {
        id: "0058c00000CuFhI",
        fields: &[
            ("FirstName", "Casey"),
            ("LastName", "Nguyen"),
            ("Email", "casey.nguyen@acme.com"),
            ("Username", "casey.nguyen@acme.com"),
            ("Alias", "cnguy"),
            ("Title", "Former SDR"),
        ],
        active: false,
    },
];

/// The integration user: the owner of what the API creates without an `OwnerId`.
pub const API_USER: &str = "0058c00000AsDfG";

/// The org's lead queue (a `Group` of type `Queue` that supports Leads).
pub const QUEUE_SEED: (&str, &str, &str) = ("00G8c000004TqWe", "Inbound Leads Queue", "Inbound_Leads_Queue");

/// The country picklist (code, name) and the US states, when the org has State and Country/Territory
/// Picklists.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("ES", "Spain"),
    ("IE", "Ireland"),
    ("NL", "Netherlands"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("IN", "India"),
    ("JP", "Japan"),
    ("BR", "Brazil"),
    ("MX", "Mexico"),
];

pub const US_STATES: &[(&str, &str)] = &[
    ("CA", "California"),
    ("NY", "New York"),
    ("TX", "Texas"),
    ("WA", "Washington"),
    ("MA", "Massachusetts"),
    ("IL", "Illinois"),
    ("FL", "Florida"),
    ("CO", "Colorado"),
];

/// The default probability of a stage.
pub fn stage_probability(stage: &str) -> Option<f64> {
    STAGES.iter().find(|(s, _)| *s == stage).map(|(_, p)| *p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_prefixes_and_features() {
        assert_eq!(SObjectType::parse("contact"), Some(SObjectType::Contact));
        assert_eq!(SObjectType::of_id("00Q8c00001AbCdEEAV"), Some(SObjectType::Lead));
        assert_eq!(SObjectType::of_id("00q8c00001AbCdEEAV"), None, "key prefixes are case-sensitive");
        let org = Org::default();
        assert!(SObjectType::Contact.field("mailingcity", &org).is_some());
        assert!(SObjectType::Contact.field("MailingCountryCode", &org).is_none());
        assert!(SObjectType::Opportunity.field("CurrencyIsoCode", &org).is_none());
        let all = Org { multi_currency: true, state_country_picklists: true, shared_activities: true };
        assert!(SObjectType::Opportunity.field("CurrencyIsoCode", &all).is_some());
        assert!(SObjectType::EventRelation.field("IsParent", &all).is_some());
        assert_eq!(SObjectType::Lead.field("CreatedDate", &org).map(|f| f.createable), Some(false));
        assert_eq!(stage_probability("Negotiation/Review"), Some(90.0));
    }
}
