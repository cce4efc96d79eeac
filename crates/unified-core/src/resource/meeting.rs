//! `meeting`: a logged or scheduled meeting.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Text;
use super::contact::present;
use super::shared::{Attendee, CustomFields};
use crate::time::Timestamp;
use crate::validation::{Problems, Validate, rules};

/// The body of `POST /api/v1/meeting`. `title`, `startTime` and `endTime` are required; end after start.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "MeetingInput")]
pub struct MeetingInput {
    pub title: Option<Text>,
    pub description: Option<Text>,
    /// RFC 3339.
    #[schemars(extend("format" = "date-time"))]
    pub start_time: Option<Text>,
    /// RFC 3339, after `startTime`.
    #[schemars(extend("format" = "date-time"))]
    pub end_time: Option<Text>,
    pub location: Option<Text>,
    pub attendees: Option<Vec<Attendee>>,
    pub contact_ids: Option<Vec<Text>>,
    pub deal_id: Option<Text>,
    pub owner_id: Option<Text>,
    pub tags: Option<Vec<Text>>,
    pub source: Option<Text>,
    pub custom_fields: Option<CustomFields>,
}

impl MeetingInput {
    pub const FIELDS: &'static [&'static str] = &[
        "title",
        "description",
        "startTime",
        "endTime",
        "location",
        "attendees",
        "contactIds",
        "dealId",
        "ownerId",
        "tags",
        "source",
        "customFields",
    ];

    pub fn present_fields(&self) -> Vec<&'static str> {
        let flags = [
            self.title.is_some(),
            self.description.is_some(),
            self.start_time.is_some(),
            self.end_time.is_some(),
            self.location.is_some(),
            self.attendees.as_ref().is_some_and(|a| !a.is_empty()),
            self.contact_ids.as_ref().is_some_and(|c| !c.is_empty()),
            self.deal_id.is_some(),
            self.owner_id.is_some(),
            self.tags.as_ref().is_some_and(|t| !t.is_empty()),
            self.source.is_some(),
            self.custom_fields.as_ref().is_some_and(|c| !c.is_empty()),
        ];
        present(Self::FIELDS, &flags)
    }
}

impl Validate for MeetingInput {
    fn validate(&self, p: &mut Problems) {
        rules::required_text(p, "title", self.title.as_deref());
        let start = rules::required_time(p, "startTime", self.start_time.as_deref());
        let end = rules::required_time(p, "endTime", self.end_time.as_deref());
        if let (Some(start), Some(end)) = (start, end)
            && end <= start
        {
            p.push("endTime", "must be after startTime");
        }
        for (i, attendee) in self.attendees.iter().flatten().enumerate() {
            match attendee.email.as_deref() {
                None => p.push(format!("attendees[{i}].email"), "is required"),
                email => rules::email(p, &format!("attendees[{i}].email"), email),
            }
        }
        rules::ids(p, "contactIds", self.contact_ids.as_deref());
        rules::shared(p, self.owner_id.as_deref(), self.tags.as_deref(), self.custom_fields.as_ref());
    }
}

/// A meeting as the provider stored it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Meeting {
    pub id: Text,
    pub remote_id: Text,
    pub title: Option<Text>,
    pub description: Option<Text>,
    pub start_time: Option<Timestamp>,
    pub end_time: Option<Timestamp>,
    pub location: Option<Text>,
    pub attendees: Option<Vec<Attendee>>,
    pub contact_ids: Option<Vec<Text>>,
    pub deal_id: Option<Text>,
    pub owner_id: Option<Text>,
    pub owner_name: Option<Text>,
    pub owner_email: Option<Text>,
    pub tags: Option<Vec<Text>>,
    pub source: Option<Text>,
    pub custom_fields: Option<CustomFields>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}
