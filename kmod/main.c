// SPDX-License-Identifier: GPL-2.0-only
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>

static int rings_show(struct seq_file *m, void *v)
{
	seq_puts(m, "# name\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rings);

static const struct file_operations myc_dev_fops = {
	.owner = THIS_MODULE,
};

static struct miscdevice myc_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mycelium",
	.fops = &myc_dev_fops,
	.mode = 0666,
};
static struct dentry *dbg;

static int __init myc_init(void)
{
	dbg = debugfs_create_dir("mycelium", NULL);
	debugfs_create_file("rings", 0444, dbg, NULL, &rings_fops);
	return misc_register(&myc_misc);
}

static void __exit myc_exit(void)
{
	misc_deregister(&myc_misc);
	debugfs_remove_recursive(dbg);
}
module_init(myc_init);
module_exit(myc_exit);
MODULE_LICENSE("GPL");
