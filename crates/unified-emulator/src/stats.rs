//! `GET /_emulator/stats`: what every emulator counts (the provider adds its own keys, such as
//! Salesforce's `apiUsage`).

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub total_requests: u64,
    /// By the provider's route key: `"POST /api/v2/persons"`, `"GET /services/data/{version}/query"`, ...
    pub requests: BTreeMap<String, u64>,
    /// Answers by HTTP status, faults included.
    pub responses: BTreeMap<u16, u64>,
    pub faults_served: u64,
    pub tokens_issued: u64,
    /// Refresh-token grants answered.
    pub token_refreshes: u64,
}

impl Stats {
    pub fn request(&mut self, route: String) {
        self.total_requests += 1;
        *self.requests.entry(route).or_default() += 1;
    }

    pub fn response(&mut self, status: u16) {
        *self.responses.entry(status).or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_route_and_status_under_camel_case_keys() {
        let mut stats = Stats::default();
        stats.request("GET /a".into());
        stats.request("GET /a".into());
        stats.response(200);
        let body = serde_json::to_value(&stats).unwrap();
        assert_eq!(body["totalRequests"], 2);
        assert_eq!(body["requests"]["GET /a"], 2);
        assert_eq!(body["responses"]["200"], 1);
        for key in ["faultsServed", "tokensIssued", "tokenRefreshes"] {
            assert_eq!(body[key], 0, "{key}");
        }
    }
}
