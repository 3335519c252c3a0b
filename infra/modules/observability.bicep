// The pipeline's workbook and alert rules, over the OpenTelemetry metrics and spans the app sends to Application
// Insights (workspace tables AppMetrics and AppDependencies). Metric and tag names: docs/observability.md.
param location string
param tags object
param workspaceId string
param applicationInsightsId string

@description('Optional e-mail address that receives the alerts; without one the alerts still fire in the portal.')
param alertEmail string

@description('A review older than this many hours without a decision or timeout raises the backlog alert.')
@minValue(1)
param reviewBacklogMaxAgeHours int

@description('The LLM failure rate (failed calls in percent of all calls in 15 minutes) above which the alert fires.')
@minValue(1)
@maxValue(100)
param llmFailureRatePercent int

@description('Lower edge of the routed share (percent of screened messages that become cases) the model card predicts.')
@minValue(0)
@maxValue(100)
param routedShareMinPercent int

@description('Upper edge of the routed share band.')
@minValue(1)
@maxValue(100)
param routedShareMaxPercent int

var hasActionGroup = !empty(alertEmail)
var actions = hasActionGroup ? { actionGroups: [alertActions.id] } : { actionGroups: [] }

resource alertActions 'Microsoft.Insights/actionGroups@2023-01-01' = if (hasActionGroup) {
  name: 'ag-moderation-${uniqueString(resourceGroup().id)}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'moderation'
    enabled: true
    emailReceivers: [
      {
        name: 'on-call'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// Counters arrive as per-interval sums (delta temporality), so sum(Sum) over a window is the count in that window.
var metric = 'AppMetrics | where Name == "{0}"'

var queries = {
  screened: '${format(metric, 'moderation.messages.screened')} | extend route = tostring(Properties["moderation.route"]) | summarize messages = sum(Sum) by route, bin(TimeGenerated, 5m)'
  routedShare: '${format(metric, 'moderation.messages.screened')} | extend route = tostring(Properties["moderation.route"]) | where route in ("released", "case_started") | summarize routed = sumif(Sum, route == "case_started"), screened = sum(Sum) by bin(TimeGenerated, 15m) | extend routedShare = routed / screened | project TimeGenerated, routedShare'
  prefilterLatency: '${format(metric, 'moderation.prefilter.duration')} | summarize averageMs = 1000 * sum(Sum) / sum(ItemCount), maxMs = 1000 * max(Max) by bin(TimeGenerated, 5m)'
  ruleHits: '${format(metric, 'moderation.prefilter.rule_hits')} | extend rule = tostring(Properties["moderation.rule_id"]) | summarize hits = sum(Sum) by rule | order by hits desc'
  casesStarted: '${format(metric, 'moderation.cases.started')} | summarize cases = sum(Sum) by bin(TimeGenerated, 15m)'
  casesFinished: '${format(metric, 'moderation.cases.finished')} | extend outcome = strcat(tostring(Properties["moderation.disposition"]), " by ", tostring(Properties["moderation.decided_by"])) | summarize cases = sum(Sum) by outcome, bin(TimeGenerated, 15m)'
  llmCalls: '${format(metric, 'moderation.llm.calls')} | extend outcome = iff(tostring(Properties["moderation.outcome"]) == "failed", strcat("failed: ", tostring(Properties["moderation.llm.failure_kind"])), tostring(Properties["moderation.outcome"])) | summarize calls = sum(Sum) by outcome, bin(TimeGenerated, 15m)'
  llmLatency: '${format(metric, 'moderation.llm.duration')} | summarize averageS = sum(Sum) / sum(ItemCount), maxS = max(Max) by bin(TimeGenerated, 15m)'
  llmTokens: '${format(metric, 'moderation.llm.tokens')} | extend kind = tostring(Properties["moderation.llm.token_type"]) | summarize tokens = sum(Sum) by kind, bin(TimeGenerated, 1h)'
  llmCost: 'let cost = ${format(metric, 'moderation.llm.cost')} | summarize usd = sum(Sum) by bin(TimeGenerated, 1d); let messages = ${format(metric, 'moderation.messages.screened')} | summarize messages = sum(Sum) by bin(TimeGenerated, 1d); cost | join kind=fullouter messages on TimeGenerated | project TimeGenerated = coalesce(TimeGenerated, TimeGenerated1), usd, costPer1000Messages = 1000 * usd / messages'
  reviewWait: '${format(metric, 'moderation.review.wait')} | extend status = tostring(Properties["moderation.review.status"]) | summarize averageMin = sum(Sum) / sum(ItemCount) / 60, maxMin = max(Max) / 60, reviews = sum(ItemCount) by status, bin(TimeGenerated, 1h)'
  reviewTimeouts: '${format(metric, 'moderation.review.timeouts')} | summarize timeouts = sum(Sum) by bin(TimeGenerated, 1h)'
  poison: '${format(metric, 'moderation.poison.messages')} | extend reason = tostring(Properties["moderation.reason"]) | summarize messages = sum(Sum) by reason, bin(TimeGenerated, 1h)'
  deliveryRetries: '${format(metric, 'moderation.delivery.retries')} | extend disposition = tostring(Properties["moderation.disposition"]) | summarize retries = sum(Sum) by disposition, bin(TimeGenerated, 1h)'
}

var charts = [
  { title: 'Messages screened by route', query: queries.screened, visualization: 'timechart' }
  { title: 'Routed share (drift: compare with the model card\'s band)', query: queries.routedShare, visualization: 'linechart' }
  { title: 'Pre-filter latency per batch (ms)', query: queries.prefilterLatency, visualization: 'linechart' }
  { title: 'Rule hits by rule id', query: queries.ruleHits, visualization: 'barchart' }
  { title: 'Cases started', query: queries.casesStarted, visualization: 'timechart' }
  { title: 'Cases finished by disposition and decider', query: queries.casesFinished, visualization: 'timechart' }
  { title: 'LLM calls by outcome and failure kind', query: queries.llmCalls, visualization: 'timechart' }
  { title: 'LLM latency (s)', query: queries.llmLatency, visualization: 'linechart' }
  { title: 'LLM tokens', query: queries.llmTokens, visualization: 'timechart' }
  { title: 'LLM cost (USD) and cost per 1,000 messages', query: queries.llmCost, visualization: 'table' }
  { title: 'Review wait (minutes) by status', query: queries.reviewWait, visualization: 'linechart' }
  { title: 'Review timeouts', query: queries.reviewTimeouts, visualization: 'timechart' }
  { title: 'Poisoned inbound messages by reason', query: queries.poison, visualization: 'timechart' }
  { title: 'Delivery retries', query: queries.deliveryRetries, visualization: 'timechart' }
]

var workbookContent = {
  version: 'Notebook/1.0'
  items: concat(
    [
      {
        type: 1
        name: 'intro'
        content: {
          json: '## Content moderation pipeline\nTier one (pre-filter), tier two (LLM), human review and delivery, from the app\'s OpenTelemetry metrics.'
        }
      }
      {
        type: 9
        name: 'parameters'
        content: {
          version: 'KqlParameterItem/1.0'
          parameters: [
            {
              id: 'd2c1a5c4-7d1e-4f5e-9c7b-2a6f8e1b0c01'
              version: 'KqlParameterItem/1.0'
              name: 'TimeRange'
              type: 4
              isRequired: true
              value: {
                durationMs: 86400000
              }
              typeSettings: {
                selectableValues: [
                  { durationMs: 3600000 }
                  { durationMs: 14400000 }
                  { durationMs: 86400000 }
                  { durationMs: 604800000 }
                  { durationMs: 2592000000 }
                ]
              }
            }
          ]
        }
      }
    ],
    map(range(0, length(charts)), i => {
      type: 3
      name: 'chart-${i}'
      content: {
        version: 'KqlItem/1.0'
        title: charts[i].title
        query: charts[i].query
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.operationalinsights/workspaces'
        crossComponentResources: [workspaceId]
        visualization: charts[i].visualization
      }
      customWidth: '50'
    })
  )
  isLocked: false
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'moderation-pipeline-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Content moderation pipeline'
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: string(workbookContent)
  }
}

var alertDefinitions = [
  {
    name: 'poison-queue-not-empty'
    description: 'Inbound messages were moved to the poison queue (undecodable, conflicting ids, or failing on every attempt). Inspect moderation-inbound-poison.'
    severity: 2
    window: 'PT15M'
    query: '${format(metric, 'moderation.poison.messages')} | summarize poisoned = sum(Sum) | where poisoned > 0'
  }
  {
    name: 'review-backlog-too-old'
    description: 'A case has waited for a reviewer longer than ${reviewBacklogMaxAgeHours} hours (a review requested that long ago has not been delivered).'
    severity: 2
    window: 'P2D'
    query: 'let requested = AppDependencies | where TimeGenerated < ago(${reviewBacklogMaxAgeHours}h) and Name == "moderation.review.request" | project caseId = tostring(Properties["moderation.case_id"]); let delivered = AppDependencies | where Name == "moderation.deliver" | project caseId = tostring(Properties["moderation.case_id"]); requested | join kind=leftanti delivered on caseId | summarize waiting = dcount(caseId) | where waiting > 0'
  }
  {
    name: 'llm-failure-rate'
    description: 'More than ${llmFailureRatePercent}% of LLM calls failed in 15 minutes (throttling, content filter, timeouts, invalid output); cases fall back to human review.'
    severity: 2
    window: 'PT15M'
    query: '${format(metric, 'moderation.llm.calls')} | summarize failed = sumif(Sum, tostring(Properties["moderation.outcome"]) == "failed"), calls = sum(Sum) | where calls >= 10 and 100.0 * failed / calls > ${llmFailureRatePercent}'
  }
  {
    name: 'routed-share-drift'
    description: 'The share of messages routed to the LLM left the model card\'s band (${routedShareMinPercent}% to ${routedShareMaxPercent}%) for an hour: traffic or the pre-filter drifted.'
    severity: 3
    window: 'PT1H'
    query: '${format(metric, 'moderation.messages.screened')} | extend route = tostring(Properties["moderation.route"]) | where route in ("released", "case_started") | summarize routed = sumif(Sum, route == "case_started"), screened = sum(Sum) | where screened >= 200 | extend share = 100.0 * routed / screened | where share < ${routedShareMinPercent} or share > ${routedShareMaxPercent}'
  }
]

resource alerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in alertDefinitions: {
    name: 'moderation-${alert.name}'
    location: location
    tags: tags
    properties: {
      displayName: 'Moderation: ${alert.name}'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [workspaceId]
      evaluationFrequency: alert.window == 'P2D' ? 'PT15M' : (alert.window == 'PT1H' ? 'PT15M' : 'PT5M')
      windowSize: alert.window
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: actions
    }
  }
]

output workbookId string = workbook.id
