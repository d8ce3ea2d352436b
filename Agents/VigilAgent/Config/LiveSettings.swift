import Synchronization
import VigilCore

/// The agent's live settings, shared between the reload path and the shipper: a SIGHUP can change the
/// collectors, the token, batching and the checks without a restart.
final class LiveSettings: Sendable {
    private struct State {
        var configuration: AgentConfiguration
        var registry: [String: CheckDefinition]
        /// Checks whose definitions changed since the shipper last looked.
        var changed: Set<String> = []
    }

    private let state: Mutex<State>

    init(configuration: AgentConfiguration, registry: [String: CheckDefinition]) {
        state = Mutex(State(configuration: configuration, registry: registry))
    }

    /// The configuration in force.
    var configuration: AgentConfiguration { state.withLock { $0.configuration } }

    /// The definition of a check by name (current or spooled from before a reload).
    func definition(_ name: String) -> CheckDefinition? { state.withLock { $0.registry[name] } }

    /// Installs a reloaded configuration and registry; definitions that differ are marked changed.
    func update(configuration: AgentConfiguration, registry: [String: CheckDefinition]) {
        state.withLock { state in
            for (name, definition) in registry where state.registry[name] != definition {
                state.changed.insert(name)
            }
            state.configuration = configuration
            state.registry = registry
        }
    }

    /// The names marked changed, clearing the marks.
    func takeChanged() -> Set<String> {
        state.withLock { state in
            defer { state.changed = [] }
            return state.changed
        }
    }
}
