from people.viewsets import employee_chooser_viewset

EmployeeChooserBlock = employee_chooser_viewset.get_block_class(
    name="EmployeeChooserBlock", module_path="people.blocks"
)
