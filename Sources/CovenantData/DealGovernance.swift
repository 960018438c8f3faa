import CovenantValues
import CovenantSemantics

/// A deal's governance data, as the covenant's `governance … from …` declarations read it:
/// the members with their voting power and classes, and the deal's votes, approvals, conflicts
/// and waivers, all keyed by the member ids of the data.
public struct DealGovernance: Hashable, Sendable {
  public typealias Vote = VoteChoice
  public struct Member: Hashable, Sendable {
    /// How the data names the member (`"INST-A"`, `"UST"`).
    public var id: String
    /// How the report names it: the covenant's party name, else the data's name, else the id.
    public var label: String
    public var weight: Exact
    public var classes: Set<String>
    /// The covenant's party, when the covenant declares it.
    public var party: Int?
  }
  public struct Waiver: Hashable, Sendable {
    public var clause: String
    /// Member ids.
    public var approvedBy: [String]
    public var granted: CalendarDate?
    public var expires: CalendarDate?
    public var id: String?
    /// It cannot take effect whatever the dates: the clause has no waiver provision.
    public var noWaiverProvision = false
  }
  /// A voting body's data (`body lpac …`): its members, votes and conflicts, read from where the
  /// body declares them.
  public struct BodyData: Hashable, Sendable {
    public var members: [Member] = []
    public var votes: [String: Vote] = [:]
    /// False when the body's votes are `optional` and the file has none (or no deal was given).
    public var votesRecorded = true
    public var conflicted: Set<String> = []

    package init(members: [Member] = [], votes: [String: Vote] = [:], votesRecorded: Bool = true, conflicted: Set<String> = []) {
      self.members = members
      self.votes = votes
      self.votesRecorded = votesRecorded
      self.conflicted = conflicted
    }
  }
  /// A consent recorded in the data (`governance consents from …`).
  public struct Consent: Hashable, Sendable {
    public var id: String?
    public var clause: String
    /// The body that consented (an index into the covenant's bodies).
    public var body: Int
    public var granted: CalendarDate?
    public var expires: CalendarDate?
    /// The deal the consent is for, when it names one.
    public var deal: String?
    /// Where it is in the data, for the report: `snapshot.json: consents_on_file[2]`.
    public var location: String
  }
  public var bodies: [BodyData] = []
  public var consents: [Consent] = []
  public var members: [Member] = []
  public var votes: [String: Vote] = [:]
  /// False when the covenant declares its votes `optional` and the file has none.
  public var votesRecorded = true
  public var approvals: Set<String> = []
  public var conflicted: Set<String> = []
  public var waivers: [Waiver] = []
  /// The deal's date (`governance date from deal "…"`), against which waivers are tested.
  public var date: CalendarDate?
  public init() {}

  /// Without a deal file: the covenant's own parties, no votes.
  public init(covenant: CheckedCovenant) {
    members = GovernanceReader.covenantMembers(covenant)
  }
}
