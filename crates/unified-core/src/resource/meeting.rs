//! `meeting`: a logged or scheduled meeting.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Text;
use super::declare::declare_bodies;
use super::shared::{Attendee, CustomFields};
use crate::time::Timestamp;
use crate::validation::{Problems, Validate, rules};

declare_bodies! {
    /// The body of `POST /api/v1/meeting`. `title`, `startTime` and `endTime` are required; end after start.
    #[schemars(title = "MeetingInput")]
    pub struct MeetingInput;
    /// The body of `PATCH /api/v1/meeting/{id}`: the fields to change (`null` clears one).
    #[schemars(title = "MeetingPatch")]
    pub struct MeetingPatch;
    fields {
        title("title"): Text,
        description("description"): Text,
        /// RFC 3339.
        #[schemars(extend("format" = "date-time"))]
        start_time("startTime"): Text,
        /// RFC 3339, after `startTime`.
        #[schemars(extend("format" = "date-time"))]
        end_time("endTime"): Text,
        location("location"): Text,
        attendees("attendees"): Vec<Attendee>,
        contact_ids("contactIds"): Vec<Text>,
        deal_id("dealId"): Text,
        owner_id("ownerId"): Text,
        tags("tags"): Vec<Text>,
        source("source"): Text,
        custom_fields("customFields"): CustomFields,
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
