/// Every view, in the order `:` lists them.
public enum ViewRegistry {
    public static let all: [ResourceView] = [
        OverviewView.view,
        EnvironmentView.view,
        ServicesView.view,
        TasksView.view,
        InstancesView.view,
        BrokersView.view,
        TopicsView.view,
        ReplicasView.view,
        GroupsView.view,
        PartitionsView.view,
        CertificatesView.view,
        EndpointsView.view,
        SecretsView.view,
        ErrorsView.view,
        EventsView.view,
        HelpView.view,
    ]

    public static func view(named name: String) -> ResourceView? {
        let key = name.lowercased()
        return all.first { $0.name == key || $0.aliases.contains(key) }
    }
}
